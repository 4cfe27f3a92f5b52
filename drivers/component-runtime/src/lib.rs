//! What a no_std Rust component needs: a global allocator, a panic handler, and the
//! `cabi_realloc` export that the canonical ABI uses to hand lists and strings to the guest.
//!
//! Drivers are no_std so that their components import nothing but the bus and delay interfaces
//! they use: no `wasi:cli`, no filesystem, no clocks (the standard library would pull those in
//! for printing panics and reading the environment). A driver links this crate with
//! `use component_runtime as _;` and does not depend on `std`.
//!
//! It also links the target's C library for `memcmp` and friends (see below).
//!
//! On any target other than wasm32 this crate is empty, so a driver's pure logic can still be
//! unit-tested natively.
#![no_std]

// Not under `cfg(test)`: a test harness links std, which has its own panic handler.
#[cfg(all(target_arch = "wasm32", not(test)))]
mod runtime;

// A no_std component links no C library, but LLVM lowers byte-slice and string comparisons to
// `memcmp`/`bcmp` (and large copies to `memcpy`), which would then be left as `env` imports and
// fail the component encoding ("failed to resolve import `env::memcmp`"). Link the target's own C
// library (wasi-libc, shipped in the Rust sysroot for wasm32-wasip2): an archive only contributes
// the members that resolve undefined symbols, so this adds `memcmp` and nothing that imports
// anything, and the definitions here (`cabi_realloc`) take precedence over the archive's. Every
// no_std guest that links this crate gets it.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
#[link(name = "c")]
unsafe extern "C" {}
