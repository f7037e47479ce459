//! The district's unit report: per clinic, care home and hospital, how visits and referrals went
//! over a period, scored and ranked into a red list (best) and a black list (worst).
pub mod handlers;
pub mod model;
pub mod repo;
