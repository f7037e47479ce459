//! The moves between two clients: relocate (1 and 2 clients, either order), swap (1-1, 2-1, 2-2),
//! 2-opt within a route and 2-opt* between routes; each applied only if it lowers the cost.
use super::super::plan::{fwd, Piece};
use super::LocalSearch;

impl LocalSearch<'_, '_> {
    /// Every move of `u` (at `pu` in `ru`) against the stop at `pv` of `rv` (0: the start).
    pub(super) fn moves(&mut self, u: usize, ru: usize, pu: usize, rv: usize, pv: usize) -> bool {
        let (ku, kv) = (self.plan.routes[ru].len(), self.plan.routes[rv].len());
        if self.relocate(u, ru, pu, rv, pv, 1, false)
            || (pu < ku && self.relocate(u, ru, pu, rv, pv, 2, false))
            || (pu < ku && self.relocate(u, ru, pu, rv, pv, 2, true))
        {
            return true;
        }
        if ru != rv {
            if pv >= 1 {
                let one_one = self.swap(ru, pu, 1, rv, pv, 1);
                if one_one
                    || (pu < ku && self.swap(ru, pu, 2, rv, pv, 1))
                    || (pu < ku && pv < kv && self.swap(ru, pu, 2, rv, pv, 2))
                {
                    return true;
                }
            }
            return self.two_opt_star(ru, pu, rv, pv);
        }
        if pv >= 1 && self.swap_within(ru, pu, pv) {
            return true;
        }
        self.two_opt(ru, pu.min(pv), pu.max(pv))
    }

    /// Moves `len` clients from `pu` (reversed if asked) to after `pv`.
    #[allow(clippy::too_many_arguments)]
    fn relocate(
        &mut self,
        u: usize,
        ru: usize,
        pu: usize,
        rv: usize,
        pv: usize,
        len: usize,
        reversed: bool,
    ) -> bool {
        let ku = self.plan.routes[ru].len();
        let last = pu + len - 1;
        let moved = if len == 1 {
            Piece::Node(u)
        } else if reversed {
            Piece::Rev {
                route: ru,
                from: pu,
                to: last,
            }
        } else {
            fwd(ru, pu, last)
        };
        if ru != rv {
            let kv = self.plan.routes[rv].len();
            let from_u = [fwd(ru, 0, pu - 1), fwd(ru, last + 1, ku + 1)];
            let to_v = [fwd(rv, 0, pv), moved, fwd(rv, pv + 1, kv + 1)];
            return self.attempt(&[(ru, &from_u), (rv, &to_v)], 0.0);
        }
        let r = ru;
        if pv + 1 == pu && reversed && len == 2 {
            let pieces = [fwd(r, 0, pu - 1), moved, fwd(r, last + 1, ku + 1)];
            return self.attempt(&[(r, &pieces)], 0.0);
        }
        if pv + 1 >= pu && pv <= last {
            return false;
        }
        let pieces = if pv < pu {
            [
                fwd(r, 0, pv),
                moved,
                fwd(r, pv + 1, pu - 1),
                fwd(r, last + 1, ku + 1),
            ]
        } else {
            [
                fwd(r, 0, pu - 1),
                fwd(r, last + 1, pv),
                moved,
                fwd(r, pv + 1, ku + 1),
            ]
        };
        self.attempt(&[(r, &pieces)], 0.0)
    }

    /// Exchanges `lu` clients from `pu` of `ru` with `lv` clients from `pv` of `rv` (two routes).
    fn swap(&mut self, ru: usize, pu: usize, lu: usize, rv: usize, pv: usize, lv: usize) -> bool {
        let (ku, kv) = (self.plan.routes[ru].len(), self.plan.routes[rv].len());
        let (eu, ev) = (pu + lu - 1, pv + lv - 1);
        let new_u = [fwd(ru, 0, pu - 1), fwd(rv, pv, ev), fwd(ru, eu + 1, ku + 1)];
        let new_v = [fwd(rv, 0, pv - 1), fwd(ru, pu, eu), fwd(rv, ev + 1, kv + 1)];
        self.attempt(&[(ru, &new_u), (rv, &new_v)], 0.0)
    }

    /// Exchanges the clients at two positions of one route.
    fn swap_within(&mut self, r: usize, pa: usize, pb: usize) -> bool {
        let (a, b) = (pa.min(pb), pa.max(pb));
        if a == b {
            return false;
        }
        let k = self.plan.routes[r].len();
        let (na, nb) = (
            self.plan.routes[r].clients[a - 1],
            self.plan.routes[r].clients[b - 1],
        );
        let pieces = [
            fwd(r, 0, a - 1),
            Piece::Node(nb),
            fwd(r, a + 1, b - 1),
            Piece::Node(na),
            fwd(r, b + 1, k + 1),
        ];
        self.attempt(&[(r, &pieces)], 0.0)
    }

    /// Reverses the clients after `a` up to `b` within one route.
    fn two_opt(&mut self, r: usize, a: usize, b: usize) -> bool {
        if b < a + 2 {
            return false;
        }
        let k = self.plan.routes[r].len();
        let pieces = [
            fwd(r, 0, a),
            Piece::Rev {
                route: r,
                from: a + 1,
                to: b,
            },
            fwd(r, b + 1, k + 1),
        ];
        self.attempt(&[(r, &pieces)], 0.0)
    }

    /// Exchanges the tails after `pu` of `ru` and after `pv` of `rv`.
    fn two_opt_star(&mut self, ru: usize, pu: usize, rv: usize, pv: usize) -> bool {
        let (ku, kv) = (self.plan.routes[ru].len(), self.plan.routes[rv].len());
        if pu == ku && pv == kv {
            return false;
        }
        let new_u = [fwd(ru, 0, pu), fwd(rv, pv + 1, kv), fwd(ru, ku + 1, ku + 1)];
        let new_v = [fwd(rv, 0, pv), fwd(ru, pu + 1, ku), fwd(rv, kv + 1, kv + 1)];
        self.attempt(&[(ru, &new_u), (rv, &new_v)], 0.0)
    }
}
