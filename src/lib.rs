//! carelink: the REST service of a district's medical-elderly care integration programme.
pub mod app;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod network;
pub mod ops;
pub mod people;
pub mod planning;
pub mod shifts;
pub mod telemetry;
pub mod visits;
