//! Helpers shared by the tests.

pub mod mosquitto;
pub mod proxy;
