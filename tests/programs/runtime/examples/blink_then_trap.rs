//! Blinks the output line `led` five times, 100 ms on and 100 ms off, switches it on once
//! more and traps with the line still on and open: the runtime must put it back to its safe
//! level before it restarts the component, and give up after its restart limit.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::OutputPin as _;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{Level, OutputPin};

fn main() {
    let mut led = OutputPin::open("led", Level::Low).expect("open the output line `led`");
    let mut delay = Delay;
    for _ in 0..5 {
        led.set_high().expect("led on");
        delay.delay_ms(100);
        led.set_low().expect("led off");
        delay.delay_ms(100);
    }
    led.set_high().expect("led on");
    println!("trapping with the led on");
    std::process::abort();
}
