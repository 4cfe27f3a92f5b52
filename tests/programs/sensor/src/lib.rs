//! The shared part of the sensor test programs: they are no_std components, so they link
//! [`component_runtime`] (allocator, panic handler, `cabi_realloc`) through this crate and import
//! nothing but `sensor:environment`.
#![no_std]

use component_runtime as _;
