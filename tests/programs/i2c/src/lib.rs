//! Guest test programs for the `wasi-hal-i2c` host crate: each example is a no_std component
//! (built for wasm32-wasip2 by `test-programs-artifacts`) that exports small functions a
//! host test calls one by one.
#![no_std]
