//! Selective route exchange (SREX, Nagata and Kobayashi; as in PyVRP), kept to the shifts: the
//! child takes a few neighbouring routes of the first parent whole, and the second parent's
//! routes that overlap them least, without the clients already taken. A route keeps its shift,
//! or moves to a free interchangeable one. Clients left without a route are returned for the
//! caller to insert at their cheapest places.
use super::data::Data;
use super::individual::Individual;
use super::rng::Rng;

pub struct Child {
    pub routes: Vec<Vec<usize>>,
    pub missing: Vec<usize>,
    /// Routes that are the second parent's own, whole and on the same shift: the local search
    /// already searched them against each other when it educated that parent.
    pub kept: Vec<bool>,
}

pub fn srex(data: &Data, a: &Individual, b: &Individual, rng: &mut Rng) -> Child {
    let m = data.m;
    let used_a: Vec<usize> = (0..m).filter(|&r| !a.routes[r].is_empty()).collect();
    let used_b: Vec<usize> = (0..m).filter(|&r| !b.routes[r].is_empty()).collect();
    let mut route_of_a = vec![usize::MAX; data.n];
    for &r in &used_a {
        for &c in &a.routes[r] {
            route_of_a[c] = r;
        }
    }
    // A's routes around a random client: its own, then those of its nearest neighbours.
    let count = 1 + rng.below(used_a.len().min(used_b.len().max(1)).max(1));
    let mut chosen: Vec<usize> = vec![];
    if let Some(&seed_route) = used_a.get(rng.below(used_a.len())) {
        let seed_client = a.routes[seed_route][rng.below(a.routes[seed_route].len())];
        chosen.push(seed_route);
        for &c in &data.neighbours[seed_client] {
            if chosen.len() >= count {
                break;
            }
            let r = route_of_a[c];
            if r != usize::MAX && !chosen.contains(&r) {
                chosen.push(r);
            }
        }
    }
    let mut taken = vec![false; data.n];
    for &r in &chosen {
        for &c in &a.routes[r] {
            taken[c] = true;
        }
    }
    // B's routes sharing the most with the taken ones make way for them.
    let mut overlap: Vec<(usize, usize)> = used_b
        .iter()
        .map(|&r| (b.routes[r].iter().filter(|&&c| taken[c]).count(), r))
        .collect();
    overlap.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    let dropped: Vec<usize> = overlap.iter().take(chosen.len()).map(|&(_, r)| r).collect();

    let mut routes: Vec<Vec<usize>> = vec![vec![]; m];
    let mut busy = vec![false; m];
    for &r in &chosen {
        routes[r] = a.routes[r].clone();
        busy[r] = true;
    }
    let mut placed = taken.clone();
    let mut kept = vec![false; m];
    let mut homeless: Vec<Vec<usize>> = vec![];
    for &r in &used_b {
        if dropped.contains(&r) {
            continue;
        }
        let rest: Vec<usize> = b.routes[r].iter().copied().filter(|&c| !taken[c]).collect();
        if rest.is_empty() {
            continue;
        }
        if busy[r] {
            homeless.push(rest);
            continue;
        }
        busy[r] = true;
        for &c in &rest {
            placed[c] = true;
        }
        kept[r] = rest.len() == b.routes[r].len();
        routes[r] = rest;
    }
    for rest in homeless {
        let Some(&first) = rest.first() else { continue };
        // A free shift that may take all of them (an interchangeable one when shifts differ only by name).
        let free = (0..m).find(|&s| !busy[s] && data.allowed(s, first) && fits(data, s, &rest));
        if let Some(s) = free {
            busy[s] = true;
            for &c in &rest {
                placed[c] = true;
            }
            routes[s] = rest;
        }
    }
    let mut missing: Vec<usize> = (0..data.n).filter(|&c| !placed[c]).collect();
    rng.shuffle(&mut missing);
    Child {
        routes,
        missing,
        kept,
    }
}

fn fits(data: &Data, shift: usize, clients: &[usize]) -> bool {
    clients.iter().all(|&c| data.allowed(shift, c))
}
