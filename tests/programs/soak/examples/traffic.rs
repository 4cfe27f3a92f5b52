//! The soak guest: for `--seconds S` of the host's time (default 60), repeats one round of
//! traffic and then waits `--period-us P` (default 1000): two output lines toggled, an SPI
//! write of 16 bytes and a 4-byte read on `spi-dev`, an I2C register read from the BME680's
//! chip-id register on `i2c-bus` at 0x76. Each round is 9 host calls (the clock read and the
//! wait included). Prints the rounds made.

use embedded_hal::delay::DelayNs as _;
use embedded_hal::digital::OutputPin as _;
use embedded_hal::i2c::I2c as _;
use embedded_hal::spi::SpiDevice as _;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{Level, OutputPin};
use embedded_hal_wasi::i2c::Bus;
use embedded_hal_wasi::spi::Device;
use test_programs_longrun::arg;

fn main() -> Result<(), String> {
    let seconds: u64 = arg("seconds", 60);
    let period_us: u32 = arg("period-us", 1000);
    let mut a = OutputPin::open("line-a", Level::Low).map_err(|e| format!("line-a: {e:?}"))?;
    let mut b = OutputPin::open("line-b", Level::High).map_err(|e| format!("line-b: {e:?}"))?;
    let mut spi = Device::open("spi-dev").map_err(|e| format!("spi-dev: {e:?}"))?;
    let mut i2c = Bus::open("i2c-bus").map_err(|e| format!("i2c-bus: {e:?}"))?;
    let mut delay = Delay;
    let end = delay
        .now_ns()
        .saturating_add(seconds.saturating_mul(1_000_000_000));
    let frame = [0xA5u8; 16];
    let mut rounds: u64 = 0;
    while delay.now_ns() < end {
        a.set_high().map_err(|e| format!("line-a: {e:?}"))?;
        b.set_low().map_err(|e| format!("line-b: {e:?}"))?;
        spi.write(&frame).map_err(|e| format!("spi write: {e:?}"))?;
        let mut got = [0u8; 4];
        spi.read(&mut got).map_err(|e| format!("spi read: {e:?}"))?;
        let mut id = [0u8; 1];
        i2c.write_read(0x76, &[0xD0], &mut id)
            .map_err(|e| format!("i2c: {e:?}"))?;
        if id[0] != 0x61 {
            return Err(format!("chip id {:#04x}, expected 0x61", id[0]));
        }
        a.set_low().map_err(|e| format!("line-a: {e:?}"))?;
        b.set_high().map_err(|e| format!("line-b: {e:?}"))?;
        delay.delay_us(period_us);
        rounds += 1;
    }
    println!("soak: {rounds} rounds");
    Ok(())
}
