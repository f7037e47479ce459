//! How many event streams one instance serves: each polls the outbox, so their number is load on
//! the database. A user may hold `events.max_streams_per_user` at once (tabs, phones), the instance
//! `events.max_streams`; past either, a new stream is refused with 429 until one ends.
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

use crate::error::AppError;

#[derive(Debug, Default)]
pub struct Streams {
    open: Mutex<(usize, HashMap<String, usize>)>,
}

/// One open stream; dropping it (the stream ended) frees its place.
#[derive(Debug)]
pub struct Slot {
    streams: Arc<Streams>,
    user: String,
}

impl Streams {
    /// Takes a place for `user`'s new stream, or refuses it (429) at either limit.
    pub fn open(
        self: &Arc<Streams>,
        user: &str,
        per_user: usize,
        total: usize,
    ) -> Result<Slot, AppError> {
        let mut open = self.open.lock();
        let mine = open.1.get(user).copied().unwrap_or(0);
        if mine >= per_user {
            return Err(AppError::rate_limited(
                format!("At most {per_user} event streams per user at once; close one first."),
                5,
            ));
        }
        if open.0 >= total {
            return Err(AppError::rate_limited(
                "This instance serves as many event streams as it may; retry shortly.",
                5,
            ));
        }
        open.0 += 1;
        *open.1.entry(user.to_string()).or_default() += 1;
        Ok(Slot {
            streams: self.clone(),
            user: user.to_string(),
        })
    }

    /// Streams open now, in all.
    pub fn count(&self) -> usize {
        self.open.lock().0
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock();
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_at_the_limit_is_refused_until_one_of_their_streams_ends() {
        let streams = Arc::new(Streams::default());
        let a1 = streams.open("a", 2, 3).unwrap();
        let _a2 = streams.open("a", 2, 3).unwrap();
        assert_eq!(streams.open("a", 2, 3).unwrap_err().status.as_u16(), 429);
        let _b1 = streams.open("b", 2, 3).unwrap();
        assert!(streams.open("b", 2, 3).is_err(), "the instance is full");
        drop(a1);
        let _b2 = streams.open("b", 2, 3).expect("a place is free again");
        assert_eq!(streams.count(), 3);
    }
}
