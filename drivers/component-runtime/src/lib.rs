//! What a no_std Rust component needs: a global allocator, a panic handler, and the
//! `cabi_realloc` export that the canonical ABI uses to hand lists and strings to the guest.
//!
//! Drivers are no_std so that their components import nothing but the bus and delay interfaces
//! they use: no `wasi:cli`, no filesystem, no clocks (the standard library would pull those in
//! for printing panics and reading the environment). A driver links this crate with
//! `use component_runtime as _;` and does not depend on `std`.
//!
//! On any target other than wasm32 this crate is empty, so a driver's pure logic can still be
//! unit-tested natively.
#![no_std]

// Not under `cfg(test)`: a test harness links std, which has its own panic handler.
#[cfg(all(target_arch = "wasm32", not(test)))]
mod runtime;
