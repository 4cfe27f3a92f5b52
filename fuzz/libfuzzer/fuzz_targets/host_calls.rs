//! cargo-fuzz target: [`wasi_hal_fuzz::host_calls`]; an `Err` is a crash.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(message) = wasi_hal_fuzz::host_calls(data) {
        panic!("{message}");
    }
});
