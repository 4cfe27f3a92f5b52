//! The Linux backend: a spidev device (`/dev/spidevB.C`) through linux-embedded-hal.
//!
//! See [`LinuxSpiDevice`] for what happens to transactions larger than spidev's message size.

use crate::{SpiBackend, SpiConfig, SpiError, SpiMode};
use embedded_hal::spi::{Operation, SpiDevice};
use linux_embedded_hal::SpidevDevice;
use linux_embedded_hal::spidev::{SpiModeFlags, SpidevOptions};
use std::io;
use std::path::Path;

/// spidev's default message size when the module parameter cannot be read.
pub const DEFAULT_SPIDEV_BUFSIZ: usize = 4096;

/// The longest delay one spidev transfer can hold (its `delay_usecs` is 16 bits); longer
/// delays are sent as several delay transfers.
const MAX_DELAY_NS: u32 = u16::MAX as u32 * 1000;

/// At most this many transfers go into one ioctl (the ioctl's size field allows 511).
const MAX_TRANSFERS_PER_MESSAGE: usize = 256;

/// The size of one spidev message, from `/sys/module/spidev/parameters/bufsiz` when present,
/// or [`DEFAULT_SPIDEV_BUFSIZ`].
pub fn spidev_bufsiz() -> usize {
    std::fs::read_to_string("/sys/module/spidev/parameters/bufsiz")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_SPIDEV_BUFSIZ)
}

/// Maps an errno from spidev to the error the guest sees.
///
/// `EMSGSIZE` → `too-large`, `EBUSY` → `in-use`, `EPERM`/`EACCES` → `not-permitted`, anything
/// else → `other`.
pub fn spi_error_from_errno(errno: i32) -> SpiError {
    match errno {
        libc::EMSGSIZE => SpiError::TooLarge,
        libc::EBUSY => SpiError::InUse,
        libc::EPERM | libc::EACCES => SpiError::NotPermitted,
        _ => SpiError::Other,
    }
}

fn io_error(e: &io::Error) -> SpiError {
    e.raw_os_error()
        .map(spi_error_from_errno)
        .unwrap_or(SpiError::Other)
}

/// A Linux spidev device as a backend.
///
/// # Messages larger than spidev's buffer
///
/// spidev moves at most `bufsiz` bytes (a module parameter, 4096 by default) in one
/// `SPI_IOC_MESSAGE`; a larger message fails with `EMSGSIZE`. [`LinuxSpiDevice`] therefore
/// splits a transaction that moves more than `bufsiz` bytes into several messages, cutting
/// operations where needed, and sends them back to back. **Chip select is released between two
/// messages** (for some microseconds), so a transaction larger than `bufsiz` is not one
/// chip-select period on the wire. Parts that need a whole frame under one chip select (or do
/// not care, such as display RAM writes that only look at D/C) decide which applies: a board
/// that must keep every call under one chip select sets
/// [`SpiPolicy::max_transfer_bytes`](crate::SpiPolicy::max_transfer_bytes) to at most `bufsiz`,
/// and guests get `too-large` instead of a split. A transaction within `bufsiz` is always one
/// message (one ioctl).
pub struct LinuxSpiDevice {
    device: SpidevDevice,
    bufsiz: usize,
}

impl std::fmt::Debug for LinuxSpiDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinuxSpiDevice")
            .field("bufsiz", &self.bufsiz)
            .finish_non_exhaustive()
    }
}

impl LinuxSpiDevice {
    /// Opens `path` (for example `/dev/spidev0.0`); the message size is [`spidev_bufsiz`].
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let device = SpidevDevice::open(path).map_err(|e| io::Error::new(e.inner().kind(), e))?;
        Ok(Self {
            device,
            bufsiz: spidev_bufsiz(),
        })
    }

    /// Uses `bufsiz` bytes as the message size instead of the module parameter.
    pub fn with_bufsiz(mut self, bufsiz: usize) -> Self {
        self.bufsiz = bufsiz.max(1);
        self
    }

    /// The message size in bytes.
    pub fn bufsiz(&self) -> usize {
        self.bufsiz
    }
}

impl SpiBackend for LinuxSpiDevice {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), SpiError> {
        for message in split_messages(operations, self.bufsiz) {
            let mut message = message;
            SpiDevice::transaction(&mut self.device, &mut message)
                .map_err(|e| io_error(e.inner()))?;
        }
        Ok(())
    }

    fn apply_config(&mut self, config: &SpiConfig) -> Result<(), SpiError> {
        let mut mode = match config.mode {
            SpiMode::Mode0 => SpiModeFlags::SPI_MODE_0,
            SpiMode::Mode1 => SpiModeFlags::SPI_MODE_1,
            SpiMode::Mode2 => SpiModeFlags::SPI_MODE_2,
            SpiMode::Mode3 => SpiModeFlags::SPI_MODE_3,
        };
        if config.lsb_first {
            mode |= SpiModeFlags::SPI_LSB_FIRST;
        }
        let options = SpidevOptions::new()
            .bits_per_word(8)
            .max_speed_hz(config.frequency_hz)
            .lsb_first(config.lsb_first)
            .mode(mode)
            .build();
        self.device.configure(&options).map_err(|e| io_error(&e))
    }
}

/// Splits `operations` into messages of at most `limit` bytes (and at most
/// [`MAX_TRANSFERS_PER_MESSAGE`] transfers) each, in order. Operations that do not fit in what is
/// left of a message are cut; long delays become several delays. An operation list within the
/// limits stays one message.
fn split_messages<'a>(
    operations: &'a mut [Operation<'_, u8>],
    limit: usize,
) -> Vec<Vec<Operation<'a, u8>>> {
    let limit = limit.max(1);
    let mut messages = Vec::new();
    let mut current: Vec<Operation<'a, u8>> = Vec::new();
    let mut used = 0usize;

    // Adds one piece that fits, starting a new message when the transfer count is reached.
    let push = |piece: Operation<'a, u8>,
                len: usize,
                current: &mut Vec<Operation<'a, u8>>,
                used: &mut usize,
                messages: &mut Vec<Vec<Operation<'a, u8>>>| {
        if current.len() == MAX_TRANSFERS_PER_MESSAGE {
            messages.push(std::mem::take(current));
            *used = 0;
        }
        current.push(piece);
        *used += len;
        if *used == limit {
            messages.push(std::mem::take(current));
            *used = 0;
        }
    };

    for op in operations.iter_mut() {
        match op {
            Operation::DelayNs(ns) => {
                let mut left = *ns;
                loop {
                    let step = left.min(MAX_DELAY_NS);
                    push(
                        Operation::DelayNs(step),
                        0,
                        &mut current,
                        &mut used,
                        &mut messages,
                    );
                    left -= step;
                    if left == 0 {
                        break;
                    }
                }
            }
            Operation::Read(buf) => {
                let mut rest: &'a mut [u8] = buf;
                while !rest.is_empty() {
                    let n = rest.len().min(limit - used);
                    let (piece, tail) = rest.split_at_mut(n);
                    rest = tail;
                    push(
                        Operation::Read(piece),
                        n,
                        &mut current,
                        &mut used,
                        &mut messages,
                    );
                }
            }
            Operation::Write(buf) => {
                let mut rest: &'a [u8] = buf;
                while !rest.is_empty() {
                    let n = rest.len().min(limit - used);
                    let (piece, tail) = rest.split_at(n);
                    rest = tail;
                    push(
                        Operation::Write(piece),
                        n,
                        &mut current,
                        &mut used,
                        &mut messages,
                    );
                }
            }
            Operation::TransferInPlace(buf) => {
                let mut rest: &'a mut [u8] = buf;
                while !rest.is_empty() {
                    let n = rest.len().min(limit - used);
                    let (piece, tail) = rest.split_at_mut(n);
                    rest = tail;
                    push(
                        Operation::TransferInPlace(piece),
                        n,
                        &mut current,
                        &mut used,
                        &mut messages,
                    );
                }
            }
            Operation::Transfer(read, write) => {
                let mut read: &'a mut [u8] = read;
                let mut write: &'a [u8] = write;
                while !read.is_empty() || !write.is_empty() {
                    let n = read.len().max(write.len()).min(limit - used);
                    let (r, r_tail) = read.split_at_mut(n.min(read.len()));
                    let (w, w_tail) = write.split_at(n.min(write.len()));
                    read = r_tail;
                    write = w_tail;
                    push(
                        Operation::Transfer(r, w),
                        n,
                        &mut current,
                        &mut used,
                        &mut messages,
                    );
                }
            }
        }
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping() {
        assert_eq!(spi_error_from_errno(libc::EMSGSIZE), SpiError::TooLarge);
        assert_eq!(spi_error_from_errno(libc::EBUSY), SpiError::InUse);
        assert_eq!(spi_error_from_errno(libc::EPERM), SpiError::NotPermitted);
        assert_eq!(spi_error_from_errno(libc::EACCES), SpiError::NotPermitted);
        assert_eq!(spi_error_from_errno(libc::EIO), SpiError::Other);
        assert_eq!(spi_error_from_errno(libc::ENODEV), SpiError::Other);
        assert_eq!(io_error(&io::Error::other("no errno")), SpiError::Other);
        assert_eq!(
            io_error(&io::Error::from_raw_os_error(libc::EMSGSIZE)),
            SpiError::TooLarge
        );
    }

    /// The bytes an operation moves on the wire.
    fn wire_len(op: &Operation<'_, u8>) -> usize {
        match op {
            Operation::Read(buf) => buf.len(),
            Operation::Write(buf) => buf.len(),
            Operation::Transfer(read, write) => read.len().max(write.len()),
            Operation::TransferInPlace(buf) => buf.len(),
            Operation::DelayNs(_) => 0,
        }
    }

    fn sizes(messages: &[Vec<Operation<'_, u8>>]) -> Vec<Vec<usize>> {
        messages
            .iter()
            .map(|m| m.iter().map(wire_len).collect())
            .collect()
    }

    #[test]
    fn a_transaction_within_the_limit_is_one_message() {
        let mut a = [0u8; 10];
        let b = [1u8; 20];
        let mut ops = [
            Operation::Read(&mut a),
            Operation::DelayNs(5),
            Operation::Write(&b),
        ];
        let messages = split_messages(&mut ops, 4096);
        assert_eq!(sizes(&messages), vec![vec![10, 0, 20]]);
    }

    #[test]
    fn large_operations_are_cut_at_the_limit_in_order() {
        let mut frame: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let cmd = [0xAAu8; 100];
        let mut ops = [
            Operation::Write(&cmd),
            Operation::TransferInPlace(&mut frame),
        ];
        let messages = split_messages(&mut ops, 4096);
        assert_eq!(
            sizes(&messages),
            vec![vec![100, 3996], vec![4096], vec![1908]]
        );
        // The pieces are the original bytes, in order.
        let mut seen = Vec::new();
        for m in &messages {
            for op in m {
                if let Operation::TransferInPlace(b) = op {
                    seen.extend_from_slice(b);
                }
            }
        }
        let expected: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn reads_land_in_the_right_place() {
        let mut buf = vec![0u8; 9];
        let mut ops = [Operation::Read(&mut buf)];
        let mut messages = split_messages(&mut ops, 4);
        assert_eq!(sizes(&messages), vec![vec![4], vec![4], vec![1]]);
        let mut k = 0u8;
        for m in &mut messages {
            for op in m.iter_mut() {
                if let Operation::Read(b) = op {
                    for x in b.iter_mut() {
                        *x = k;
                        k += 1;
                    }
                }
            }
        }
        drop(messages);
        assert_eq!(buf, (0..9).collect::<Vec<u8>>());
    }

    #[test]
    fn long_delays_and_many_operations_are_split() {
        let mut ops = [Operation::DelayNs(200_000_000)];
        let messages = split_messages(&mut ops, 4096);
        let delays: Vec<u32> = messages
            .iter()
            .flatten()
            .map(|op| match op {
                Operation::DelayNs(ns) => *ns,
                _ => panic!("not a delay"),
            })
            .collect();
        assert_eq!(delays.iter().sum::<u32>(), 200_000_000);
        assert!(delays.iter().all(|&d| d <= MAX_DELAY_NS));

        let mut many: Vec<Operation<'_, u8>> = (0..600).map(|_| Operation::DelayNs(1)).collect();
        let messages = split_messages(&mut many, 4096);
        assert_eq!(
            messages.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![256, 256, 88]
        );
    }
}
