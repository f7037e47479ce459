//! The integration tests: each runs against a live carelink over HTTP, on SQLite and (with
//! CARELINK_TEST_POSTGRES_URL set) on PostgreSQL, each on its own fresh database.
mod helpers;

mod abuse;
mod access;
mod auth;
mod bad_input;
mod cli;
mod conventions;
mod crash;
mod dayplan;
mod demo;
mod documented_rules;
mod episodes;
mod events;
mod family;
mod field;
mod hardening;
mod ltc;
mod migrations;
mod network;
mod openapi;
mod outage;
mod people;
mod privacy;
mod process;
mod programmes;
mod referrals;
mod reports;
mod retention;
mod same_day;
mod shapes;
mod visits;
