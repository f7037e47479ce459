//! A move's figures worked out from pieces of the current routes (prefix and suffix segments,
//! running sums, the rejection on distance before time warp) against the new route walked stop by
//! stop.
use super::data::Data;
use super::plan::{fwd, Eval, Piece, Plan};
use super::rng::Rng;
use super::segment::Segment;
use crate::planning::optimiser::tests::plane;
use crate::planning::optimiser::{ClinicianShift, Problem, Visit, Window};

fn problem(rng: &mut Rng) -> Problem {
    let mut points = vec![(20.0, 20.0)];
    points.extend((0..16).map(|_| (rng.below(40) as f64, rng.below(40) as f64)));
    let shifts = (0..2)
        .map(|i| ClinicianShift {
            clinician_id: format!("c{i}"),
            shift_id: format!("c{i}-1"),
            starts_at: 0,
            ends_at: 500,
            start_place: 0,
            end_place: 0,
            skills: vec![],
            capacity: Some(20),
        })
        .collect();
    let visits = (1..=16)
        .map(|p| {
            let start = rng.below(300) as i64;
            let window = Window {
                earliest_start: start,
                latest_start: start + 20 + rng.below(80) as i64,
            };
            let mut v = Visit::new(format!("v{p}"), p, 5 + rng.below(10) as i64, window);
            v.demand = rng.below(4) as i64;
            v
        })
        .collect();
    Problem::new(shifts, visits, plane(&points), 0).expect("a valid problem")
}

/// The route's clients as the pieces say, read from the client lists.
fn clients_of(plan: &Plan, pieces: &[Piece]) -> Vec<usize> {
    let mut out = vec![];
    for piece in pieces {
        match *piece {
            Piece::Node(u) => out.push(u),
            Piece::Fwd { route, from, to } | Piece::Rev { route, from, to } => {
                let src = &plan.routes[route].clients;
                let mut run: Vec<usize> = (from.max(1)..=to.min(src.len()))
                    .map(|p| src[p - 1])
                    .collect();
                if matches!(piece, Piece::Rev { .. }) {
                    run.reverse();
                }
                out.extend(run);
            }
        }
    }
    out
}

/// Distance, load and time warp of shift `r` driving `clients`, stop by stop.
fn walked(data: &Data, r: usize, clients: &[usize]) -> Eval {
    if clients.is_empty() {
        return Eval::default();
    }
    let stops: Vec<usize> = std::iter::once(data.start(r))
        .chain(clients.iter().copied())
        .chain(std::iter::once(data.end(r)))
        .collect();
    let mut seg = Segment::of(&data.nodes[stops[0]]);
    let mut e = Eval::default();
    for pair in stops.windows(2) {
        let next = Segment::of(&data.nodes[pair[1]]);
        seg = seg.then(next, data.time(seg.last, next.first));
        e.dist += data.dist(pair[0], pair[1]);
        e.load += data.nodes[pair[1]].demand;
    }
    e.time_warp = seg.time_warp;
    e
}

#[test]
fn relocate_swap_and_tail_exchange_are_costed_as_the_walked_route_costs() {
    let mut rng = Rng::new(17);
    for _ in 0..20 {
        let problem = problem(&mut rng);
        let candidates: Vec<usize> = (0..16).collect();
        let data = Data::new(&problem, &candidates, 40);
        let mut order = candidates.clone();
        rng.shuffle(&mut order);
        let cut = 1 + rng.below(14);
        let orders = vec![order[..cut].to_vec(), order[cut..].to_vec()];
        let mut plan = Plan::new(&data);
        plan.load(&data, &orders, 1);
        let (ku, kv) = (orders[0].len(), orders[1].len());
        for _ in 0..50 {
            let (pu, pv) = (1 + rng.below(ku), rng.below(kv + 1));
            let u = orders[0][pu - 1];
            let last = (pu + rng.below(2)).min(ku);
            let moves: Vec<[Vec<Piece>; 2]> = vec![
                // Relocate one client, or two reversed, from route 0 to after pv of route 1.
                [
                    vec![fwd(0, 0, pu - 1), fwd(0, pu + 1, ku + 1)],
                    vec![fwd(1, 0, pv), Piece::Node(u), fwd(1, pv + 1, kv + 1)],
                ],
                [
                    vec![fwd(0, 0, pu - 1), fwd(0, last + 1, ku + 1)],
                    vec![
                        fwd(1, 0, pv),
                        Piece::Rev {
                            route: 0,
                            from: pu,
                            to: last,
                        },
                        fwd(1, pv + 1, kv + 1),
                    ],
                ],
                // Exchange the tails after pu and pv.
                [
                    vec![fwd(0, 0, pu), fwd(1, pv + 1, kv), fwd(0, ku + 1, ku + 1)],
                    vec![fwd(1, 0, pv), fwd(0, pu + 1, ku), fwd(1, kv + 1, kv + 1)],
                ],
            ];
            for [new_u, new_v] in &moves {
                for (r, pieces) in [(0, new_u), (1, new_v)] {
                    let clients = clients_of(&plan, pieces);
                    let expected = walked(&data, r, &clients);
                    let eval = plan.eval(&data, r, pieces).expect("allowed");
                    assert_eq!(eval, expected, "route {r}: {clients:?}");
                    let (figures, count) = plan.figures(&data, r, pieces).expect("allowed");
                    assert_eq!(count, clients.len());
                    assert_eq!((figures.dist, figures.load), (expected.dist, expected.load));
                    if count > 0 {
                        assert_eq!(plan.time_warp(&data, pieces), expected.time_warp);
                    }
                }
            }
        }
    }
}
