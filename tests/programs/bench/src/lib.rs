//! Guest programs for the benchmarks in `benches/` (crate `wasi-hal-benches`): each example is
//! a no_std component built for wasm32-wasip2 by `test-programs-artifacts`, with exports that
//! loop inside the guest, so a benchmark measures the calls it names and not the call into
//! the guest.
#![no_std]
