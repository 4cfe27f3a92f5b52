//! Prints a numbered line every millisecond, without end: the runtime's log rate limit must
//! keep what it logs bounded.

use embedded_hal::delay::DelayNs;
use embedded_hal_wasi::delay::Delay;

fn main() {
    let mut delay = Delay;
    let mut line: u64 = 0;
    loop {
        println!("chatter line {line}");
        line += 1;
        delay.delay_ms(1);
    }
}
