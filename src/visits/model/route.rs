//! A clinician's day route as the API shows it.
use chrono::NaiveDate;
use serde::Serialize;

use super::Status;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RouteStop {
    pub visit_id: String,
    pub resident_id: String,
    pub service_type: String,
    pub status: Status,
    pub travel_minutes: i64,
    pub arrival: crate::time::Time,
    pub starts_at: crate::time::Time,
    pub departure: crate::time::Time,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayRoute {
    pub clinician_id: String,
    pub date: NaiveDate,
    pub stops: Vec<RouteStop>,
    pub return_travel_minutes: i64,
    pub back_at_clinic: Option<crate::time::Time>,
    pub total_travel_minutes: i64,
}
