//! The care-programme report's figures per clinic and their rates (pure): how much of what was
//! owed was met, on time, and how many chronic residents were in control at their last follow-up.
use serde::Serialize;

fn rate(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 1000.0).round() / 1000.0)
}

/// Residents of one condition group judged at their last follow-up in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Control {
    /// Residents whose last follow-up had a reading that bears on the condition.
    pub judged: u32,
    pub in_control: u32,
    /// `in_control / judged`; null when none was judged.
    pub rate: Option<f64>,
}

impl Control {
    pub fn add(&mut self, in_control: bool) {
        self.judged += 1;
        if in_control {
            self.in_control += 1;
        }
        self.rate = rate(self.in_control, self.judged);
    }
}

/// One clinic's care-programme figures for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProgrammeFigures {
    /// Contracts whose term overlaps the period (active or expired in it; terminated ones not).
    pub contracts_active: u32,
    /// Obligations whose window closes (`latest`) in the period.
    pub obligations_due: u32,
    /// Of those: met on or before `latest`.
    pub met_on_time: u32,
    /// Met after `latest`.
    pub met_late: u32,
    /// Window closed unmet (not waived).
    pub overdue: u32,
    pub waived: u32,
    /// Still open, window not yet closed (a period reaching past today).
    pub pending: u32,
    /// 履约率: met (on time or late) / due, waived ones left out.
    pub fulfilment_rate: Option<f64>,
    /// Met on time / those decided (met, or closed unmet): the unit score takes this in (ADR 0007).
    pub on_time_rate: Option<f64>,
    pub hypertension: Control,
    pub diabetes: Control,
}

/// How one obligation closing in the period counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    MetOnTime,
    MetLate,
    Overdue,
    Waived,
    Pending,
}

impl ProgrammeFigures {
    pub fn count(&mut self, o: Outcome) {
        self.obligations_due += 1;
        match o {
            Outcome::MetOnTime => self.met_on_time += 1,
            Outcome::MetLate => self.met_late += 1,
            Outcome::Overdue => self.overdue += 1,
            Outcome::Waived => self.waived += 1,
            Outcome::Pending => self.pending += 1,
        }
        let met = self.met_on_time + self.met_late;
        self.fulfilment_rate = rate(met, self.obligations_due - self.waived);
        self.on_time_rate = rate(self.met_on_time, met + self.overdue);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rates_leave_out_what_was_waived_and_what_is_still_open() {
        let mut f = ProgrammeFigures::default();
        assert_eq!(f.on_time_rate, None);
        for o in [
            Outcome::MetOnTime,
            Outcome::MetOnTime,
            Outcome::MetLate,
            Outcome::Overdue,
            Outcome::Waived,
            Outcome::Pending,
        ] {
            f.count(o);
        }
        assert_eq!(f.obligations_due, 6);
        assert_eq!(f.fulfilment_rate, Some(0.6)); // 3 met of 5 not waived
        assert_eq!(f.on_time_rate, Some(0.5)); // 2 on time of 4 decided
        let mut c = Control::default();
        c.add(true);
        c.add(false);
        c.add(true);
        assert_eq!((c.judged, c.in_control, c.rate), (3, 2, Some(0.667)));
    }
}
