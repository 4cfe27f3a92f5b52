//! Makes one `wasi:spi` transaction of many one-byte reads, which keeps the host busy (and
//! calling back into the guest's allocator for every result) far longer than the watchdog's
//! limit: the watchdog must not count that as the guest computing.
//!
//! Reads `count` (default 1_000_000) from its first argument; the board must allow that many
//! bytes in one transaction on the SPI device `bulk`.

use embedded_hal::spi::{Operation, SpiDevice as _};
use embedded_hal_wasi::spi::Device;

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut device = Device::open("bulk").expect("the SPI device `bulk`");
    let mut buffers = vec![[0u8; 1]; count];
    let mut operations: Vec<Operation<'_, u8>> =
        buffers.iter_mut().map(|b| Operation::Read(b)).collect();
    device
        .transaction(&mut operations)
        .expect("the transaction");
    drop(operations);
    // Nothing drives MISO on a part-less simulated device: every byte reads 0xFF.
    assert!(buffers.iter().all(|b| b[0] == 0xFF));
    println!("read {count} bytes");
}
