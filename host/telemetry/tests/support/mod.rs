//! Helpers shared by the tests.

pub mod mosquitto;
