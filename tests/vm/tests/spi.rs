//! `wasi:spi` against the kernel's spidev: this project's loopback SPI controller
//! (`tests/vm/kmod/spi-loopback.c`: MOSI comes back on MISO) with the kernel's own spidev bound
//! to its device, driven by the guest `SPI_DEVICE` through the board's Linux backend
//! (linux-embedded-hal's spidev ioctls). The controller counts what it was asked for (module
//! parameters), so the test sees the modes, clocks and messages the host's ioctls produced.

use std::path::{Path, PathBuf};
use test_programs_artifacts::SPI_DEVICE;
use wasi_hal_board::{Board, BoardFile};
use wasi_hal_vm_tests::guest::Guest;
use wasi_hal_vm_tests::{Vm, in_vm, insmod};

const PARAMS: &str = "/sys/module/spi_loopback/parameters";

/// Loads the loopback controller; returns spidev's node for it.
fn loopback() -> PathBuf {
    insmod("spi-loopback", &[]);
    let entry = std::fs::read_dir("/sys/class/spidev")
        .expect("/sys/class/spidev")
        .next()
        .expect("spidev bound to the loopback device")
        .unwrap();
    PathBuf::from("/dev").join(entry.file_name())
}

/// A counter or setting the controller recorded.
fn param(name: &str) -> u64 {
    let path = Path::new(PARAMS).join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .parse()
        .unwrap()
}

fn board(dev: &Path) -> Board {
    let text = format!(
        "[board]\nname = \"vm\"\nbackend = \"linux\"\n\n[spi.loop]\ndevice = \"{}\"\n\
         max-frequency-hz = 10_000_000\nmodes = [\"mode0\", \"mode1\", \"mode2\", \"mode3\"]\n\
         bit-orders = [\"msb-first\", \"lsb-first\"]\nconfigurable = true\nfrequency-hz = 4_000_000\n\
         max-transfer-bytes = 10000\n",
        dev.display()
    );
    Board::build(BoardFile::parse(&text, "vm.toml").unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn transfer(guest: &mut Guest, data: &[u8]) -> Vec<u8> {
    guest
        .call::<(&[u8],), (Result<Vec<u8>, String>,)>("transfer", (data,))
        .0
        .expect("transfer")
}

fn configure(guest: &mut Guest, hz: u32, mode: u8, lsb: bool) -> (u32, u8, bool) {
    guest
        .call::<(u32, u8, bool), (Result<(u32, u8, bool), String>,)>("configure", (hz, mode, lsb))
        .0
        .expect("configure")
}

#[test]
fn transfers_modes_clocks_and_the_bufsiz_split_through_spidev() {
    if !in_vm() {
        Vm::new()
            .file(SPI_DEVICE)
            .run("transfers_modes_clocks_and_the_bufsiz_split_through_spidev");
        return;
    }
    let dev = loopback();
    let board = board(&dev);
    let mut guest = Guest::new(&board, SPI_DEVICE);
    assert_eq!(
        guest
            .call::<(&str,), (Result<(), String>,)>("open", ("loop",))
            .0,
        Ok(())
    );

    // Data: what goes out on MOSI comes back on MISO; a read sends nothing and reads 0xFF.
    let data: Vec<u8> = (0..=255).collect();
    let before = param("messages");
    assert_eq!(transfer(&mut guest, &data), data);
    assert_eq!(param("messages"), before + 1, "one transfer is one message");
    assert_eq!(param("last_len"), 256);
    assert_eq!(param("last_speed_hz"), 4_000_000, "the board's frequency");
    assert_eq!(param("last_mode"), 0, "mode 0, MSB first");
    assert_eq!(
        guest
            .call::<(u32,), (Result<Vec<u8>, String>,)>("read", (4,))
            .0,
        Ok(vec![0xff; 4])
    );

    // Modes and clocks reach the controller as the guest set them.
    for (hz, mode, lsb, bits) in [
        (1_000_000, 3, false, 3),
        (2_000_000, 1, true, 1 | 8),
        (500_000, 2, false, 2),
    ] {
        assert_eq!(configure(&mut guest, hz, mode, lsb), (hz, mode, lsb));
        assert_eq!(transfer(&mut guest, &[0xa5, 0x5a]), [0xa5, 0x5a]);
        assert_eq!(
            param("last_speed_hz"),
            u64::from(hz),
            "clock for mode {mode}"
        );
        assert_eq!(
            param("last_mode"),
            bits,
            "mode bits for mode {mode}, lsb {lsb}"
        );
    }
    // Above the board's maximum: clamped (the board's `above-max` default).
    assert_eq!(configure(&mut guest, 50_000_000, 0, false).0, 10_000_000);
    transfer(&mut guest, &[1]);
    assert_eq!(param("last_speed_hz"), 10_000_000);

    // More than spidev's bufsiz in one call: split into messages of at most bufsiz bytes, the
    // data intact and in order.
    let bufsiz = std::fs::read_to_string("/sys/module/spidev/parameters/bufsiz")
        .expect("spidev's bufsiz")
        .trim()
        .parse::<usize>()
        .unwrap();
    assert_eq!(bufsiz, 4096);
    let big: Vec<u8> = (0..bufsiz + 904).map(|i| (i * 7 % 251) as u8).collect();
    let (messages, bytes) = (param("messages"), param("bytes"));
    assert_eq!(transfer(&mut guest, &big), big);
    assert_eq!(param("messages") - messages, 2, "5000 bytes: two messages");
    assert_eq!(param("bytes") - bytes, 5000);
    assert_eq!(
        param("last_len"),
        904,
        "the second message carries the rest"
    );
}
