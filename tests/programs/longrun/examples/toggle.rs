//! Drives the output line `--line NAME` (default `led`) through `--changes N` changes of level
//! (default 200000), starting low, one `wasi:gpio` call per change, then returns.

use embedded_hal::digital::OutputPin as _;
use embedded_hal_wasi::gpio::{Level, OutputPin};
use test_programs_longrun::arg;

fn main() {
    let line: String = arg("line", "led".to_string());
    let changes: u64 = arg("changes", 200_000);
    let mut pin = OutputPin::open(&line, Level::Low).expect("open the output line");
    for i in 0..changes {
        if i % 2 == 0 {
            pin.set_high().expect("set high");
        } else {
            pin.set_low().expect("set low");
        }
    }
    println!("toggled {line} {changes} times");
}
