//! A guest that opens an SPI device and makes no-op `wasi:spi` transactions (an empty list of
//! operations) in a loop: the cost of one guest-to-host call through the SPI host crate. It also
//! calls `bare`, an import with no arguments and no results, in a loop: Wasmtime's cheapest
//! component host call, the yardstick of the first (docs/performance.md).
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

use alloc::string::{String, ToString};
use core::cell::RefCell;

wit_bindgen::generate!({
    inline: "
        package test:bench-spi-noop;
        world guest {
            include wasi:spi/imports@0.1.0;
            /// Opens `name` and keeps the handle.
            export open: func(name: string) -> result<_, string>;
            /// Makes `n` transactions with no operations on the kept handle.
            export transactions: func(n: u32) -> result<_, string>;
            /// A host function with no arguments and no results.
            import bare: func();
            /// Calls `bare` `n` times.
            export bare-calls: func(n: u32);
        }",
    path: "../../../wit/wasi-spi",
    generate_all,
});

use wasi::spi::spi::{self, Device};

struct Handle(RefCell<Option<Device>>);
// SAFETY: a component instance runs on one thread at a time.
unsafe impl Sync for Handle {}
static HANDLE: Handle = Handle(RefCell::new(None));

struct Program;

impl Guest for Program {
    fn open(name: String) -> Result<(), String> {
        let device = spi::open_device(&name).map_err(|e| alloc::format!("{e:?}"))?;
        *HANDLE.0.borrow_mut() = Some(device);
        Ok(())
    }

    fn transactions(n: u32) -> Result<(), String> {
        let handle = HANDLE.0.borrow();
        let device = handle
            .as_ref()
            .ok_or_else(|| "no device open".to_string())?;
        for _ in 0..n {
            device
                .transaction(&[])
                .map_err(|e| alloc::format!("{e:?}"))?;
        }
        Ok(())
    }

    fn bare_calls(n: u32) {
        for _ in 0..n {
            bare();
        }
    }
}

export!(Program);
