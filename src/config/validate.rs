//! Every setting checked at start-up: a wrong one stops it with a message naming the setting.
use super::{bad, parse_net, ConfigError, Settings};

impl Settings {
    /// Checks every setting that could otherwise fail later, naming the one at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        if crate::db::Backend::of_url(&self.database.url).is_none() {
            return Err(bad(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        if self.database.pool_size == 0 {
            return Err(bad("database.pool_size", "must be at least 1"));
        }
        if !(1..=60).contains(&self.database.pool_timeout_seconds) {
            return Err(bad(
                "database.pool_timeout_seconds",
                "must be between 1 and 60",
            ));
        }
        if self.server.body_limit_bytes < 1024 {
            return Err(bad("server.body_limit_bytes", "must be at least 1024"));
        }
        if self.district.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(bad(
                "district.timezone",
                format!("unknown time zone {:?}", self.district.timezone),
            ));
        }
        if self.auth.leeway_seconds > 5 {
            return Err(bad("auth.leeway_seconds", "must be at most 5"));
        }
        if !(1..=1440).contains(&self.auth.access_token_minutes) {
            return Err(bad(
                "auth.access_token_minutes",
                "must be between 1 and 1440",
            ));
        }
        if self.auth.refresh_token_days < 1 {
            return Err(bad("auth.refresh_token_days", "must be at least 1"));
        }
        if self.events.max_streams_per_user < 1 {
            return Err(bad("events.max_streams_per_user", "must be at least 1"));
        }
        if self.events.max_streams < 1 {
            return Err(bad("events.max_streams", "must be at least 1"));
        }
        if !(1..=300).contains(&self.events.heartbeat_seconds) {
            return Err(bad("events.heartbeat_seconds", "must be between 1 and 300"));
        }
        if !(0..=300).contains(&self.auth.refresh_reuse_grace_seconds) {
            return Err(bad(
                "auth.refresh_reuse_grace_seconds",
                "must be between 0 and 300",
            ));
        }
        if self.auth.max_failed_logins < 1 {
            return Err(bad("auth.max_failed_logins", "must be at least 1"));
        }
        if let Some(bad_proxy) = self
            .server
            .trusted_proxies
            .iter()
            .find(|p| parse_net(p).is_none())
        {
            return Err(bad(
                "server.trusted_proxies",
                format!("{bad_proxy:?} is not an address or a CIDR range"),
            ));
        }
        if self.auth.slow_logins_after < 1 || self.auth.max_login_delay_seconds > 30 {
            return Err(bad(
                "auth.slow_logins_after",
                "slow_logins_after must be at least 1 and max_login_delay_seconds at most 30",
            ));
        }
        if self.auth.max_failed_logins_per_address < 1 {
            return Err(bad(
                "auth.max_failed_logins_per_address",
                "must be at least 1",
            ));
        }
        if self.visits.max_bookings_per_user_per_minute < 1 {
            return Err(bad(
                "visits.max_bookings_per_user_per_minute",
                "must be at least 1",
            ));
        }
        if self.auth.min_password_length < 10 {
            return Err(bad("auth.min_password_length", "must be at least 10"));
        }
        let secret = self.auth.jwt_secret.expose();
        if !secret.is_empty() && secret.len() < 32 {
            return Err(bad("auth.jwt_secret", "must be at least 32 characters"));
        }
        if self.is_production() && secret.is_empty() {
            return Err(bad(
                "auth.jwt_secret",
                "is required in production (CARELINK_AUTH__JWT_SECRET)",
            ));
        }
        if !(1.0..=5.0).contains(&self.travel.road_factor) {
            return Err(bad("travel.road_factor", "must be between 1 and 5"));
        }
        if !(1.0..=120.0).contains(&self.travel.speed_kmh) {
            return Err(bad("travel.speed_kmh", "must be between 1 and 120"));
        }
        if !(0..=120).contains(&self.travel.minimum_minutes) {
            return Err(bad("travel.minimum_minutes", "must be between 0 and 120"));
        }
        if self.visits.location_radius_meters.is_nan() || self.visits.location_radius_meters <= 0.0
        {
            return Err(bad("visits.location_radius_meters", "must be positive"));
        }
        if !(1..=120).contains(&self.visits.slot_step_minutes) {
            return Err(bad("visits.slot_step_minutes", "must be between 1 and 120"));
        }
        if !(1..=500).contains(&self.visits.max_slots) {
            return Err(bad("visits.max_slots", "must be between 1 and 500"));
        }
        if !(1..=366).contains(&self.visits.max_window_days) {
            return Err(bad("visits.max_window_days", "must be between 1 and 366"));
        }
        if !(5..=720).contains(&self.visits.overrun_alarm_minutes) {
            return Err(bad(
                "visits.overrun_alarm_minutes",
                "must be between 5 and 720",
            ));
        }
        if !(5..=3600).contains(&self.visits.overrun_scan_seconds) {
            return Err(bad(
                "visits.overrun_scan_seconds",
                "must be between 5 and 3600",
            ));
        }
        let r = &self.referrals;
        for (name, v) in [
            ("referrals.routine_minutes", r.routine_minutes),
            ("referrals.urgent_minutes", r.urgent_minutes),
            ("referrals.green_channel_minutes", r.green_channel_minutes),
        ] {
            if !(1..=60 * 24 * 30).contains(&v) {
                return Err(bad(name, "must be between 1 minute and 30 days"));
            }
        }
        if !(2..=10).contains(&r.second_level_factor) {
            return Err(bad(
                "referrals.second_level_factor",
                "must be between 2 and 10",
            ));
        }
        if !(1..=3600).contains(&r.scan_interval_seconds) {
            return Err(bad(
                "referrals.scan_interval_seconds",
                "must be between 1 and 3600",
            ));
        }
        if !(0..=90).contains(&self.programmes.horizon_days) {
            return Err(bad("programmes.horizon_days", "must be between 0 and 90"));
        }
        if !(10..=86_400).contains(&self.programmes.scan_interval_seconds) {
            return Err(bad(
                "programmes.scan_interval_seconds",
                "must be between 10 and 86400",
            ));
        }
        if !(30..=3660).contains(&self.ltc.assessment_valid_days) {
            return Err(bad(
                "ltc.assessment_valid_days",
                "must be between 30 and 3660",
            ));
        }
        if !(1..=240).contains(&self.planning.overrun_assumed_minutes) {
            return Err(bad(
                "planning.overrun_assumed_minutes",
                "must be between 1 and 240",
            ));
        }
        if let Err(e) = crate::shifts::model::LunchBreak::parse(&self.shifts.lunch_break) {
            return Err(bad("shifts.lunch_break", &e));
        }
        if !(7..=365).contains(&self.episodes.max_days) {
            return Err(bad("episodes.max_days", "must be between 7 and 365"));
        }
        if self.episodes.round_service_type.trim().is_empty() {
            return Err(bad(
                "episodes.round_service_type",
                "must name a service type",
            ));
        }
        if !(1..=7).contains(&self.episodes.referral_rounds_per_week) {
            return Err(bad(
                "episodes.referral_rounds_per_week",
                "must be between 1 and 7",
            ));
        }
        if !(20..=5000).contains(&self.events.poll_milliseconds) {
            return Err(bad(
                "events.poll_milliseconds",
                "must be between 20 and 5000",
            ));
        }
        if self.events.retention_hours < 1 {
            return Err(bad("events.retention_hours", "must be at least 1"));
        }
        if self.idempotency.retention_hours < 24 {
            return Err(bad("idempotency.retention_hours", "must be at least 24"));
        }
        if !matches!(self.log.format.as_str(), "json" | "pretty") {
            return Err(bad("log.format", "must be \"json\" or \"pretty\""));
        }
        Ok(())
    }
}
