//! A clinician's day route as the API shows it.
use chrono::NaiveDate;
use serde::Serialize;

use super::Status;
use crate::ids::{ResidentId, UserId, VisitId};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RouteStop {
    #[schema(value_type = String)]
    pub visit_id: VisitId,
    #[schema(value_type = String)]
    pub resident_id: ResidentId,
    pub service_type: String,
    pub status: Status,
    pub travel_minutes: i64,
    pub arrival: crate::time::Time,
    pub starts_at: crate::time::Time,
    pub departure: crate::time::Time,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayRoute {
    #[schema(value_type = String)]
    pub clinician_id: UserId,
    pub date: NaiveDate,
    pub stops: Vec<RouteStop>,
    pub return_travel_minutes: i64,
    pub back_at_clinic: Option<crate::time::Time>,
    pub total_travel_minutes: i64,
}
