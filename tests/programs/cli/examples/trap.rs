//! Switches the Pmod OLED's supplies on (VBATC and VDDC low), then traps: the host must put both
//! lines back to their safe level (high, supplies off).

use embedded_hal::digital::OutputPin as _;
use embedded_hal_wasi::gpio::{Level, OutputPin};

fn main() {
    let mut vdd = OutputPin::open("oled-vddc", Level::High).expect("oled-vddc");
    let mut vbat = OutputPin::open("oled-vbatc", Level::High).expect("oled-vbatc");
    vdd.set_low().expect("vdd on");
    vbat.set_low().expect("vbat on");
    // Trap with both supplies on and the pins still open.
    std::process::abort();
}
