//! `wasi-hal hub`: the fleet dashboard (being built; see docs/fleet.md).
