//! A device's telemetry over MQTT (docs/fleet.md).
//!
//! - [`Reading`]: one value of one quantity of one component of one node.
//! - [`BrokerConfig`]: the broker keys of the device file's `[telemetry]` table (`mqtt://` or
//!   `mqtts://`, user name and password or client certificates, keep-alive, queue bound).
//! - [`Telemetry`]: the connection. Readings go out as JSON on
//!   `wasi-hal/<node>/readings/<component>/<quantity>` with QoS 1, in order; while the broker is
//!   away they wait in a [`BoundedQueue`] whose oldest are dropped and counted past the bound.
//!   The node's availability is the retained `wasi-hal/<node>/status` (`online`, and `offline`
//!   as the last will). Each new sensor is announced to Home Assistant ([`SensorDiscovery`]).
//!   Commands on `wasi-hal/<node>/commands/<component>` that the caller authorised for that
//!   component arrive on a channel; the rest are refused and counted.
//! - [`names`]: the topic scheme, for the hub and other subscribers.

mod client;
pub mod config;
pub mod discovery;
pub mod names;
mod queue;
mod reading;

pub use client::{
    COMMAND_CHANNEL, Command, IN_FLIGHT_WINDOW, MAX_SENSORS, RECONNECT_DELAY, Telemetry,
    TelemetryError, TelemetryOptions, TelemetryStats,
};
pub use config::{BrokerConfig, ConfigError};
pub use discovery::SensorDiscovery;
pub use queue::BoundedQueue;
pub use reading::Reading;
