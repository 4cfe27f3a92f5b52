//! Paths to the guest test programs, drivers and apps, built for wasm32-wasip2 by this crate's
//! build script. Drivers are named `DRIVER_<CRATE>`, apps `APP_<CRATE>`.
//!
//! Each crate under `tests/programs/` (other than this one) holds test programs as cdylib
//! examples; each example becomes a component and a constant here named
//! `<CRATE>_<EXAMPLE>` in upper case, e.g. [`WORLDS_SPI_IMPORTS`]. [`foreach_program!`] lists
//! them all, and `foreach_<crate>!` (e.g. `foreach_spi!`) those of one crate: a test file uses
//! them to fail the build when a program has no test.

include!(concat!(env!("OUT_DIR"), "/programs.rs"));
