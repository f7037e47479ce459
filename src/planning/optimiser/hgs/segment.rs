//! Time-warp segments (Vidal et al. 2013, PyVRP's duration segments): what a stretch of a route
//! needs to know about itself so that two stretches can be joined, and the joined route's time
//! warp (how far the clock would have to run back to keep every window) found, in O(1).
use super::data::Node;

/// A stretch of a route. `early`/`late` bound when service at its first stop may start without
/// adding waiting or time warp; `duration` includes service, travel and waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Places of the first and last stops (for the travel to and from neighbours).
    pub first: usize,
    pub last: usize,
    pub duration: i64,
    pub time_warp: i64,
    pub early: i64,
    pub late: i64,
}

impl Segment {
    pub fn of(node: &Node) -> Segment {
        Segment {
            first: node.place,
            last: node.place,
            duration: node.service,
            time_warp: 0,
            early: node.early,
            late: node.late,
        }
    }

    /// This stretch followed by `next`, with `travel` time between them.
    pub fn then(self, next: Segment, travel: i64) -> Segment {
        let delta = self.duration - self.time_warp + travel;
        let wait = (next.early - delta - self.late).max(0);
        let warp = (self.early + delta - next.late).max(0);
        Segment {
            first: self.first,
            last: next.last,
            duration: self.duration + next.duration + travel + wait,
            time_warp: self.time_warp + next.time_warp + warp,
            early: (next.early - delta).max(self.early) - wait,
            late: (next.late - delta).min(self.late) + warp,
        }
    }
}
