//! Reads a script of calls from stdin ([`test_programs_fuzz::Call`], decoded with `arbitrary`)
//! and makes them; errors from the host are expected and ignored. Returns `ok`.

use arbitrary::{Arbitrary, Unstructured};
use embedded_hal_wasi::bindings::wasi::delay::delay;
use embedded_hal_wasi::bindings::wasi::gpio::gpio;
use embedded_hal_wasi::bindings::wasi::i2c::i2c;
use embedded_hal_wasi::bindings::wasi::spi::spi;
use std::io::Read;
use test_programs_fuzz::{Call, I2cStep, SpiStep};

/// The open handle at `slot` (wrapping), if any is open.
fn pick<T>(open: &mut [T], slot: u8) -> Option<&mut T> {
    if open.is_empty() {
        return None;
    }
    let i = usize::from(slot) % open.len();
    open.get_mut(i)
}

/// Removes the open handle at `slot` (wrapping), dropping it.
fn remove<T>(open: &mut Vec<T>, slot: u8) {
    if !open.is_empty() {
        let i = usize::from(slot) % open.len();
        drop(open.swap_remove(i));
    }
}

fn main() {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .expect("read the script");
    let calls: Vec<Call> = Vec::arbitrary_take_rest(Unstructured::new(&input)).unwrap_or_default();
    let mut devices: Vec<spi::Device> = ["spi-a", "spi-b"]
        .iter()
        .filter_map(|n| spi::open_device(n).ok())
        .collect();
    let mut buses: Vec<i2c::Bus> = i2c::open_bus("i2c-a").ok().into_iter().collect();
    let mut outputs: Vec<gpio::OutputPin> = [
        ("out-low", gpio::Level::High),
        ("out-high", gpio::Level::Low),
        ("in-out", gpio::Level::High),
    ]
    .iter()
    .filter_map(|(n, level)| gpio::open_output(n, *level).ok())
    .collect();
    let mut inputs: Vec<gpio::InputPin> = gpio::open_input("in-button").ok().into_iter().collect();
    for call in calls {
        match call {
            Call::SpiNames => drop(spi::get_device_names()),
            Call::SpiOpen(name) => devices.extend(spi::open_device(name.as_str()).ok()),
            Call::SpiConfigure {
                slot,
                frequency_hz,
                mode,
                lsb_first,
            } => {
                if let Some(d) = pick(&mut devices, slot) {
                    let mode = match mode % 4 {
                        0 => spi::Mode::Mode0,
                        1 => spi::Mode::Mode1,
                        2 => spi::Mode::Mode2,
                        _ => spi::Mode::Mode3,
                    };
                    let bit_order = if lsb_first {
                        spi::BitOrder::LsbFirst
                    } else {
                        spi::BitOrder::MsbFirst
                    };
                    let _ = d.configure(spi::Config {
                        frequency_hz,
                        mode,
                        bit_order,
                    });
                }
            }
            Call::SpiQuery(slot) => {
                if let Some(d) = pick(&mut devices, slot) {
                    let _ = (d.current_config(), d.max_transfer_bytes());
                }
            }
            Call::SpiRead(slot, len) => {
                if let Some(d) = pick(&mut devices, slot)
                    && let Ok(bytes) = d.read(len)
                {
                    assert_eq!(bytes.len() as u64, u64::from(len), "read length");
                }
            }
            Call::SpiWrite(slot, data) => {
                if let Some(d) = pick(&mut devices, slot) {
                    let _ = d.write(&data);
                }
            }
            Call::SpiTransfer(slot, data) => {
                if let Some(d) = pick(&mut devices, slot) {
                    let _ = d.transfer(&data);
                }
            }
            Call::SpiTransaction(slot, steps) => {
                if let Some(d) = pick(&mut devices, slot) {
                    let ops: Vec<spi::Operation<'_>> = steps
                        .iter()
                        .map(|s| match s {
                            SpiStep::Read(n) => spi::Operation::Read(*n),
                            SpiStep::Write(b) => spi::Operation::Write(b),
                            SpiStep::Transfer(b) => spi::Operation::Transfer(b),
                            SpiStep::DelayNs(ns) => spi::Operation::DelayNs(*ns),
                        })
                        .collect();
                    let _ = d.transaction(&ops);
                }
            }
            Call::SpiDrop(slot) => remove(&mut devices, slot),
            Call::I2cNames => drop(i2c::get_bus_names()),
            Call::I2cOpen(name) => buses.extend(i2c::open_bus(name.as_str()).ok()),
            Call::I2cQuery(slot) => {
                if let Some(b) = pick(&mut buses, slot) {
                    let _ = b.max_transfer_bytes();
                }
            }
            Call::I2cRead(slot, address, len) => {
                if let Some(b) = pick(&mut buses, slot)
                    && let Ok(bytes) = b.read(address.get(), len)
                {
                    assert_eq!(bytes.len() as u64, u64::from(len), "read length");
                }
            }
            Call::I2cWrite(slot, address, data) => {
                if let Some(b) = pick(&mut buses, slot) {
                    let _ = b.write(address.get(), &data);
                }
            }
            Call::I2cWriteRead(slot, address, data, len) => {
                if let Some(b) = pick(&mut buses, slot) {
                    let _ = b.write_read(address.get(), &data, len);
                }
            }
            Call::I2cTransaction(slot, address, steps) => {
                if let Some(b) = pick(&mut buses, slot) {
                    let ops: Vec<i2c::Operation<'_>> = steps
                        .iter()
                        .map(|s| match s {
                            I2cStep::Read(n) => i2c::Operation::Read(*n),
                            I2cStep::Write(bytes) => i2c::Operation::Write(bytes),
                        })
                        .collect();
                    let _ = b.transaction(address.get(), &ops);
                }
            }
            Call::I2cDrop(slot) => remove(&mut buses, slot),
            Call::GpioPins => drop(gpio::get_pins()),
            Call::GpioOutput(name, high) => {
                let level = if high {
                    gpio::Level::High
                } else {
                    gpio::Level::Low
                };
                outputs.extend(gpio::open_output(name.as_str(), level).ok());
            }
            Call::GpioSet(slot, high) => {
                if let Some(p) = pick(&mut outputs, slot) {
                    let level = if high {
                        gpio::Level::High
                    } else {
                        gpio::Level::Low
                    };
                    let _ = p.set_level(level);
                }
            }
            Call::GpioGet(slot) => {
                if let Some(p) = pick(&mut outputs, slot) {
                    let _ = p.get_level();
                }
            }
            Call::GpioDropOutput(slot) => remove(&mut outputs, slot),
            Call::GpioInput(name) => inputs.extend(gpio::open_input(name.as_str()).ok()),
            Call::GpioRead(slot) => {
                if let Some(p) = pick(&mut inputs, slot) {
                    let _ = p.read_level();
                }
            }
            Call::GpioWait(slot, edge, timeout_ns) => {
                if let Some(p) = pick(&mut inputs, slot) {
                    let edge = match edge % 3 {
                        0 => gpio::Edge::Rising,
                        1 => gpio::Edge::Falling,
                        _ => gpio::Edge::Both,
                    };
                    let _ = p.wait_for_edge(edge, timeout_ns);
                }
            }
            Call::GpioDropInput(slot) => remove(&mut inputs, slot),
            Call::DelayNs(ns) => delay::delay_ns(ns),
            Call::DelayUs(us) => delay::delay_us(us),
            Call::DelayMs(ms) => delay::delay_ms(ms),
            Call::Now => drop(delay::now_ns()),
        }
    }
    // The handles still open are left for the host to release when the store is dropped.
    std::mem::forget((devices, buses, outputs, inputs));
}
