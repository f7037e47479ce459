//! Login throttling (ADR 0010), the pure rule: from the failures counted so far, whether a login
//! may go on now, after a delay, or not at all. A stranger who knows a username can slow that
//! account down but never lock its owner out; guessing stays slow from any one address.

/// What a login attempt meets before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go on after this many seconds (0: at once).
    Proceed { delay_seconds: u64 },
    /// This address failed too often in the last minute, whatever the accounts: 429.
    AddressThrottled,
    /// This account failed too often from this address: 423 until the window passes. The same
    /// account from another address is not locked.
    PairLocked,
}

/// The failures that decide, each within its window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Failures {
    /// From this address in the last minute, any account.
    pub address: i64,
    /// Of this account from this address within the lockout window.
    pub pair: i64,
    /// Of this account from every address within the lockout window.
    pub account: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_address_per_minute: i64,
    pub per_pair: i64,
    pub slow_after: i64,
    pub max_delay_seconds: u64,
}

pub fn verdict(f: Failures, l: Limits) -> Verdict {
    if f.address >= l.per_address_per_minute {
        return Verdict::AddressThrottled;
    }
    if f.pair >= l.per_pair {
        return Verdict::PairLocked;
    }
    // Progressive delay once the account is under attack from anywhere: one more second for each
    // failure past the threshold, capped, so that a distributed guesser gets few tries an hour
    // and the owner still gets in (a few seconds late).
    let past = (f.account - l.slow_after + 1).max(0) as u64;
    Verdict::Proceed {
        delay_seconds: past.min(l.max_delay_seconds),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits {
        per_address_per_minute: 20,
        per_pair: 5,
        slow_after: 10,
        max_delay_seconds: 5,
    };

    fn f(address: i64, pair: i64, account: i64) -> Failures {
        Failures {
            address,
            pair,
            account,
        }
    }

    #[test]
    fn a_fresh_login_goes_on_at_once() {
        assert_eq!(
            verdict(f(0, 0, 0), L),
            Verdict::Proceed { delay_seconds: 0 }
        );
    }

    #[test]
    fn five_failures_lock_the_pair_but_not_the_account_from_elsewhere() {
        assert_eq!(verdict(f(5, 5, 5), L), Verdict::PairLocked);
        assert_eq!(
            verdict(f(0, 0, 5), L),
            Verdict::Proceed { delay_seconds: 0 }
        );
    }

    #[test]
    fn an_account_under_attack_from_many_addresses_slows_down_but_never_locks() {
        assert_eq!(
            verdict(f(0, 0, 9), L),
            Verdict::Proceed { delay_seconds: 0 }
        );
        assert_eq!(
            verdict(f(0, 0, 10), L),
            Verdict::Proceed { delay_seconds: 1 }
        );
        assert_eq!(
            verdict(f(0, 0, 12), L),
            Verdict::Proceed { delay_seconds: 3 }
        );
        assert_eq!(
            verdict(f(0, 0, 10_000), L),
            Verdict::Proceed { delay_seconds: 5 }
        );
    }

    #[test]
    fn one_address_guessing_across_accounts_is_throttled_first() {
        assert_eq!(verdict(f(20, 0, 0), L), Verdict::AddressThrottled);
    }
}
