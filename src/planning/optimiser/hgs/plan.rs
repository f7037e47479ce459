//! The routes under change: per route, prefix and suffix time-warp segments and running sums of
//! distance, load and continuity, so that a move's new routes, described as pieces of the
//! current ones, are costed in O(1) per piece (short middle pieces are walked).
use super::data::Data;
use super::segment::Segment;

/// How much a unit of time warp and of excess load costs in the penalised objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Penalties {
    pub time_warp: f64,
    pub load: f64,
}

impl Penalties {
    pub fn scaled(self, factor: f64) -> Penalties {
        Penalties {
            time_warp: self.time_warp * factor,
            load: self.load * factor,
        }
    }
}

/// A route's figures: travel distance, time warp, load and continuity penalty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Eval {
    pub dist: i64,
    pub time_warp: i64,
    pub load: i64,
    pub cont: i64,
}

impl Eval {
    pub fn excess(&self, capacity: i64) -> i64 {
        (self.load - capacity).max(0)
    }

    pub fn cost(&self, pen: Penalties, capacity: i64) -> f64 {
        (self.dist + self.cont) as f64
            + pen.time_warp * self.time_warp as f64
            + pen.load * self.excess(capacity) as f64
    }
}

/// A piece of a new route: positions `from..=to` of a current route (0 is its start, `len + 1`
/// its end), forwards or backwards, or one client. Pieces from another route never include
/// that route's start or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    Fwd {
        route: usize,
        from: usize,
        to: usize,
    },
    Rev {
        route: usize,
        from: usize,
        to: usize,
    },
    Node(usize),
}

pub fn fwd(route: usize, from: usize, to: usize) -> Piece {
    Piece::Fwd { route, from, to }
}

/// One shift's route.
#[derive(Debug, Clone)]
pub struct Route {
    pub shift: usize,
    pub clients: Vec<usize>,
    fwd: Vec<Segment>,
    bwd: Vec<Segment>,
    /// Segments of the clients from a position to the last client (no end depot).
    open: Vec<Segment>,
    cum_dist: Vec<i64>,
    cum_load: Vec<i64>,
    cum_cont: Vec<i64>,
    /// Step of the local search at which the route last changed.
    pub modified: u64,
}

impl Route {
    fn new(data: &Data, shift: usize) -> Route {
        let mut route = Route {
            shift,
            clients: vec![],
            fwd: vec![],
            bwd: vec![],
            open: vec![],
            cum_dist: vec![],
            cum_load: vec![],
            cum_cont: vec![],
            modified: 0,
        };
        route.rebuild(data);
        route
    }

    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The node at a position: start depot, client, or end depot.
    pub fn node(&self, data: &Data, pos: usize) -> usize {
        if pos == 0 {
            data.start(self.shift)
        } else if pos <= self.len() {
            self.clients[pos - 1]
        } else {
            data.end(self.shift)
        }
    }

    fn rebuild(&mut self, data: &Data) {
        let k = self.len();
        let nodes: Vec<usize> = (0..k + 2).map(|p| self.node(data, p)).collect();
        self.fwd.clear();
        self.cum_dist.clear();
        self.cum_load.clear();
        self.cum_cont.clear();
        let mut prev = nodes[0];
        let mut seg = Segment::of(&data.nodes[prev]);
        let (mut dist, mut load, mut cont) = (0, 0, 0);
        self.fwd.push(seg);
        self.cum_dist.push(0);
        self.cum_load.push(0);
        self.cum_cont.push(0);
        for &node in &nodes[1..] {
            let next = Segment::of(&data.nodes[node]);
            seg = seg.then(next, data.time(seg.last, next.first));
            dist += data.dist(prev, node);
            load += data.nodes[node].demand;
            if node < data.n {
                cont += data.cont(self.shift, node);
            }
            self.fwd.push(seg);
            self.cum_dist.push(dist);
            self.cum_load.push(load);
            self.cum_cont.push(cont);
            prev = node;
        }
        self.bwd.clear();
        self.bwd
            .resize(k + 2, Segment::of(&data.nodes[nodes[k + 1]]));
        self.open.clear();
        self.open.resize(k + 2, Segment::of(&data.nodes[nodes[k]]));
        for pos in (0..=k).rev() {
            let here = Segment::of(&data.nodes[nodes[pos]]);
            let after = self.bwd[pos + 1];
            self.bwd[pos] = here.then(after, data.time(here.last, after.first));
            if pos >= 1 && pos < k {
                let after = self.open[pos + 1];
                self.open[pos] = here.then(after, data.time(here.last, after.first));
            }
        }
    }

    /// The route's own figures (an empty route is not driven: all zero).
    pub fn eval(&self) -> Eval {
        let k = self.len();
        if k == 0 {
            return Eval::default();
        }
        Eval {
            dist: self.cum_dist[k + 1],
            time_warp: self.fwd[k + 1].time_warp,
            load: self.cum_load[k + 1],
            cont: self.cum_cont[k + 1],
        }
    }

    fn between(cum: &[i64], from: usize, to: usize) -> i64 {
        cum[to] - if from == 0 { 0 } else { cum[from - 1] }
    }
}

/// All routes (route `r` is shift `r`) and where each client is.
#[derive(Debug, Clone)]
pub struct Plan {
    pub routes: Vec<Route>,
    /// Per client: (route, position) or `None` when left out.
    pub at: Vec<Option<(usize, usize)>>,
}

impl Plan {
    pub fn new(data: &Data) -> Plan {
        Plan {
            routes: (0..data.m).map(|s| Route::new(data, s)).collect(),
            at: vec![None; data.n],
        }
    }

    /// Replaces every route (one list per shift; missing shifts are empty).
    pub fn load(&mut self, data: &Data, orders: &[Vec<usize>], step: u64) {
        self.at.iter_mut().for_each(|a| *a = None);
        for r in 0..self.routes.len() {
            let clients = orders.get(r).cloned().unwrap_or_default();
            self.set(data, r, clients, step);
        }
    }

    fn set(&mut self, data: &Data, r: usize, clients: Vec<usize>, step: u64) {
        let route = &mut self.routes[r];
        route.clients = clients;
        route.rebuild(data);
        route.modified = step;
        for (i, &c) in route.clients.iter().enumerate() {
            self.at[c] = Some((r, i + 1));
        }
    }

    /// Rewrites the given routes as their pieces say (all pieces read the current routes).
    pub fn apply(&mut self, data: &Data, changes: &[(usize, &[Piece])], step: u64) {
        let lists: Vec<(usize, Vec<usize>)> = changes
            .iter()
            .map(|(r, pieces)| (*r, self.materialise(pieces)))
            .collect();
        for (r, _) in &lists {
            for &c in &self.routes[*r].clients {
                self.at[c] = None;
            }
        }
        for (r, clients) in lists {
            self.set(data, r, clients, step);
        }
    }

    fn materialise(&self, pieces: &[Piece]) -> Vec<usize> {
        let mut out = vec![];
        for piece in pieces {
            match *piece {
                Piece::Node(u) => out.push(u),
                Piece::Fwd { route, from, to } | Piece::Rev { route, from, to } => {
                    let src = &self.routes[route];
                    let (lo, hi) = (from.max(1), to.min(src.len()));
                    if lo > hi {
                        continue;
                    }
                    let slice = &src.clients[lo - 1..hi];
                    if matches!(piece, Piece::Rev { .. }) {
                        out.extend(slice.iter().rev());
                    } else {
                        out.extend_from_slice(slice);
                    }
                }
            }
        }
        out
    }

    /// The figures route `r` would have if it were made of `pieces`, or `None` if its shift may
    /// not take one of the clients.
    pub fn eval(&self, data: &Data, r: usize, pieces: &[Piece]) -> Option<Eval> {
        let (mut e, clients) = self.figures(data, r, pieces)?;
        if clients > 0 {
            e.time_warp = self.time_warp(data, pieces);
        }
        Some(e)
    }

    /// [`Plan::eval`] without the time warp (left zero), and how many clients the route has:
    /// distance, load and continuity, on which a move can be rejected before its time warp, the
    /// dearer part, is worked out.
    pub fn figures(&self, data: &Data, r: usize, pieces: &[Piece]) -> Option<(Eval, usize)> {
        let shift = self.routes[r].shift;
        let mut e = Eval::default();
        let mut clients = 0;
        let mut last_node: Option<usize> = None;
        for piece in pieces {
            let (first, last) = match *piece {
                Piece::Node(u) => {
                    if !data.allowed(shift, u) {
                        return None;
                    }
                    e.load += data.nodes[u].demand;
                    e.cont += data.cont(shift, u);
                    clients += 1;
                    (u, u)
                }
                Piece::Fwd { route, from, to } => {
                    if from > to {
                        continue;
                    }
                    let src = &self.routes[route];
                    let (lo, hi) = (from.max(1), to.min(src.len()));
                    clients += (hi + 1).saturating_sub(lo);
                    e.load += Route::between(&src.cum_load, from, to);
                    e.dist += src.cum_dist[to] - src.cum_dist[from];
                    if route == r {
                        e.cont += Route::between(&src.cum_cont, from, to);
                    } else if data.has_cont || !data.all_allowed {
                        for &c in src.clients.get(lo.wrapping_sub(1)..hi).unwrap_or(&[]) {
                            if !data.allowed(shift, c) {
                                return None;
                            }
                            e.cont += data.cont(shift, c);
                        }
                    }
                    (src.node(data, from), src.node(data, to))
                }
                Piece::Rev { route, from, to } => {
                    if from > to {
                        continue;
                    }
                    let src = &self.routes[route];
                    let mut prev: Option<usize> = None;
                    for pos in (from..=to).rev() {
                        let c = src.node(data, pos);
                        if c < data.n {
                            if route != r && !data.allowed(shift, c) {
                                return None;
                            }
                            clients += 1;
                            e.load += data.nodes[c].demand;
                            e.cont += data.cont(shift, c);
                        }
                        if let Some(p) = prev {
                            e.dist += data.dist(p, c);
                        }
                        prev = Some(c);
                    }
                    (src.node(data, to), src.node(data, from))
                }
            };
            if let Some(l) = last_node {
                e.dist += data.dist(l, first);
            }
            last_node = Some(last);
        }
        if clients == 0 {
            return Some((Eval::default(), 0));
        }
        Some((e, clients))
    }

    /// The time warp of the route made of `pieces` (each allowed, as `eval_without_time` found).
    pub fn time_warp(&self, data: &Data, pieces: &[Piece]) -> i64 {
        let mut acc: Option<Segment> = None;
        for piece in pieces {
            let seg = match *piece {
                Piece::Node(u) => Segment::of(&data.nodes[u]),
                Piece::Fwd { route, from, to } => {
                    if from > to {
                        continue;
                    }
                    // Only the evaluated route's own pieces hold its start or end.
                    let src = &self.routes[route];
                    let k = src.len();
                    if from == 0 {
                        src.fwd[to]
                    } else if to == k + 1 {
                        src.bwd[from]
                    } else if to == k {
                        src.open[from]
                    } else {
                        walk(data, (from..=to).map(|p| src.node(data, p)))
                    }
                }
                Piece::Rev { route, from, to } => {
                    if from > to {
                        continue;
                    }
                    let src = &self.routes[route];
                    walk(data, (from..=to).rev().map(|p| src.node(data, p)))
                }
            };
            acc = Some(match acc {
                None => seg,
                Some(a) => a.then(seg, data.time(a.last, seg.first)),
            });
        }
        acc.map_or(0, |s| s.time_warp)
    }
}

/// The segment of a run of nodes, joined one by one.
fn walk(data: &Data, mut nodes: impl Iterator<Item = usize>) -> Segment {
    let Some(first) = nodes.next() else {
        return Segment::of(&data.nodes[0]);
    };
    let mut seg = Segment::of(&data.nodes[first]);
    for node in nodes {
        let next = Segment::of(&data.nodes[node]);
        seg = seg.then(next, data.time(seg.last, next.first));
    }
    seg
}
