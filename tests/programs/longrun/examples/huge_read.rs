//! Asks the SPI device `--device NAME` (default `bus`) for 4 GiB - 1 bytes in one read, which
//! the host must refuse with `too-large` before allocating anything, then for exactly its cap,
//! which it must give. Prints what happened; returns an error when either answer is wrong.

use embedded_hal_wasi::bindings::wasi::spi::spi as wit;
use test_programs_longrun::arg;

fn main() -> Result<(), String> {
    let name: String = arg("device", "bus".to_string());
    let device = wit::open_device(&name).map_err(|e| format!("open {name}: {e:?}"))?;
    let cap = device.max_transfer_bytes();
    match device.read(u32::MAX) {
        Err(wit::ErrorCode::TooLarge) => println!("read of {} bytes: too-large", u32::MAX),
        Err(e) => return Err(format!("read of {} bytes: {e:?}", u32::MAX)),
        Ok(bytes) => return Err(format!("read of {} bytes gave {}", u32::MAX, bytes.len())),
    }
    match device.read(cap) {
        Ok(bytes) if bytes.len() as u64 == u64::from(cap) => {
            println!("read of {cap} bytes (the cap): ok")
        }
        Ok(bytes) => return Err(format!("read of {cap} bytes gave {}", bytes.len())),
        Err(e) => return Err(format!("read of {cap} bytes: {e:?}")),
    }
    Ok(())
}
