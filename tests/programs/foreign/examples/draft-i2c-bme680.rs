//! A guest written against the upstream draft `wasi:i2c@0.2.0-draft`: it gets its bus handle
//! from `wasi-hal:i2c-draft-adapter/handles` (the draft leaves that to each world), exports a
//! bare `run: func()`, and talks to a BME680 at 0x76 on the bus `i2c0` with every function of
//! the draft's `i2c` resource. It checks what it reads and traps with a message when something
//! is not what a BME680 answers:
//!
//! - `write-read` of the chip-id register 0xD0 gives 0x61;
//! - `write` of 0x05 to `ctrl_hum` (0x72), then `write` of the register address and `read` of
//!   one byte, gives 0x05 back; a `transaction` of the same two steps too;
//! - the draft `delay` handle waits;
//! - a 10-bit address (0x123) and an address the board does not allow (0x50) are `other`.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_foreign as _;

wit_bindgen::generate!({
    inline: "package test:draft-i2c;
        world app {
            import wasi:i2c/i2c@0.2.0-draft;
            import wasi:i2c/delay@0.2.0-draft;
            import wasi-hal:i2c-draft-adapter/handles@0.1.0;
            export run: func();
        }",
    // The adapter's package also holds its world, which names wasi-hal's packages: they are
    // parsed, not imported.
    path: [
        "../../../wit/wasi-i2c",
        "../../../wit/wasi-delay",
        "../../../adapters/wit/i2c-draft",
        "../../../adapters/i2c-draft-adapter/wit",
    ],
    generate_all,
});

use alloc::vec;
use wasi::i2c0_2_0_draft::i2c::{ErrorCode, Operation};
use wasi_hal::i2c_draft_adapter::handles::{open_bus, open_delay};

const BME680: u16 = 0x76;
const CHIP_ID: u8 = 0xD0;
const CTRL_HUM: u8 = 0x72;

struct Program;

impl Guest for Program {
    fn run() {
        let bus = open_bus("i2c0").expect("open the bus i2c0");
        let delay = open_delay();

        let id = bus
            .write_read(BME680, &[CHIP_ID], 1)
            .expect("write-read of the chip id");
        assert_eq!(id, [0x61], "chip id");

        bus.write(BME680, &[CTRL_HUM, 0x05])
            .expect("write ctrl_hum");
        delay.delay_ns(1_000);
        bus.write(BME680, &[CTRL_HUM])
            .expect("write the register address");
        let back = bus.read(BME680, 1).expect("read ctrl_hum");
        assert_eq!(back, [0x05], "ctrl_hum read back with write + read");

        let back = bus
            .transaction(
                BME680,
                &[Operation::Write(vec![CTRL_HUM]), Operation::Read(1)],
            )
            .expect("transaction");
        assert_eq!(back, [vec![0x05]], "ctrl_hum read back in a transaction");

        assert!(
            matches!(bus.read(0x123, 1), Err(ErrorCode::Other)),
            "a 10-bit address"
        );
        assert!(
            matches!(bus.read(0x50, 1), Err(ErrorCode::Other)),
            "an address not allowed"
        );
    }
}

export!(Program);
