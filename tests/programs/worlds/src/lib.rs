//! The shared part of the world test programs: they are no_std components, so they link
//! [`component_runtime`] (allocator, panic handler, `cabi_realloc`) through this crate.
//!
//! Being no_std, their components import nothing but the interfaces of the world they stand
//! for: no `wasi:cli`, no filesystem, no clocks.
#![no_std]

use component_runtime as _;
