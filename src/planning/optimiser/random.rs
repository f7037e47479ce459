//! A seeded random source for vrp-core, whose own generator cannot be seeded.
use std::sync::atomic::{AtomicU64, Ordering};

use vrp_core::rosomaxa::prelude::{Float, Random};
use vrp_core::rosomaxa::utils::RandomGen;

/// vrp-core's own generator has no seed; this one (SplitMix64) does. vrp-core still shuffles with
/// a thread-local generator that starts from 0 on each new thread, which a fresh pool gives it.
pub struct SeededRandom {
    state: AtomicU64,
}

impl SeededRandom {
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom {
            state: AtomicU64::new(seed),
        }
    }

    fn next(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&self) -> Float {
        (self.next() >> 11) as Float / (1u64 << 53) as Float
    }
}

impl Random for SeededRandom {
    fn uniform_int(&self, min: i32, max: i32) -> i32 {
        if min >= max {
            return min;
        }
        let span = (i64::from(max) - i64::from(min) + 1) as u64;
        (i64::from(min) + (self.next() % span) as i64) as i32
    }

    fn uniform_real(&self, min: Float, max: Float) -> Float {
        if (max - min).abs() < Float::EPSILON {
            return min;
        }
        min + self.unit() * (max - min)
    }

    fn is_head_not_tails(&self) -> bool {
        self.next() & 1 == 1
    }

    fn is_hit(&self, probability: Float) -> bool {
        self.unit() < probability.clamp(0., 1.)
    }

    fn weighted(&self, weights: &[usize]) -> usize {
        weights
            .iter()
            .enumerate()
            .map(|(i, &w)| (-(1. - self.unit()).ln() / w as Float, i))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(0, |(_, i)| i)
    }

    fn get_rng(&self) -> RandomGen {
        RandomGen::new_repeatable()
    }
}
