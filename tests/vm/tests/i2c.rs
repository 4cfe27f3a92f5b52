//! `wasi:i2c` against the kernel's i2c-dev: the `i2c-stub` module as the target (an SMBus-only
//! adapter with a register file at one address), driven by the guest `I2C_BUS` through the
//! board's Linux backend, which sends register reads and writes as SMBus transfers there.

use std::path::PathBuf;
use test_programs_artifacts::I2C_BUS;
use wasi_hal_board::{Board, BoardFile};
use wasi_hal_vm_tests::guest::Guest;
use wasi_hal_vm_tests::{Vm, in_vm, insmod};

const SENSOR: u8 = 0x76;

/// Loads i2c-dev and i2c-stub with a target at [`SENSOR`]; returns the stub's `/dev/i2c-N`.
fn stub_bus() -> PathBuf {
    insmod("i2c-dev", &[]);
    insmod("i2c-stub", &[&format!("chip_addr={SENSOR:#x}")]);
    for entry in std::fs::read_dir("/sys/class/i2c-dev").expect("/sys/class/i2c-dev") {
        let entry = entry.unwrap();
        let name = std::fs::read_to_string(entry.path().join("name")).unwrap_or_default();
        if name.trim() == "SMBus stub driver" {
            return PathBuf::from("/dev").join(entry.file_name());
        }
    }
    panic!("no i2c-dev node for i2c-stub");
}

fn board(dev: &std::path::Path) -> Board {
    let text = format!(
        "[board]\nname = \"vm\"\nbackend = \"linux\"\n\n[i2c.sensor]\ndevice = \"{}\"\naddresses = [{SENSOR:#x}]\nmax-transfer-bytes = 64\n",
        dev.display()
    );
    Board::build(BoardFile::parse(&text, "vm.toml").unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn write(guest: &mut Guest, data: &[u8]) -> Result<(), String> {
    guest
        .call::<(u8, &[u8]), (Result<(), String>,)>("write", (SENSOR, data))
        .0
}

fn write_read(guest: &mut Guest, data: &[u8], len: u32) -> Result<Vec<u8>, String> {
    guest
        .call::<(u8, &[u8], u32), (Result<Vec<u8>, String>,)>("write-read", (SENSOR, data, len))
        .0
}

fn read(guest: &mut Guest, len: u32) -> Result<Vec<u8>, String> {
    guest
        .call::<(u8, u32), (Result<Vec<u8>, String>,)>("read", (SENSOR, len))
        .0
}

#[test]
fn register_reads_and_writes_reach_an_smbus_only_target() {
    if !in_vm() {
        Vm::new()
            .file(I2C_BUS)
            .run("register_reads_and_writes_reach_an_smbus_only_target");
        return;
    }
    let dev = stub_bus();
    let board = board(&dev);
    let mut guest = Guest::new(&board, I2C_BUS);
    assert_eq!(
        guest
            .call::<(&str,), (Result<(), String>,)>("open", ("sensor",))
            .0,
        Ok(())
    );
    // One register, as the BME680 driver writes its chip id check and settings.
    assert_eq!(write(&mut guest, &[0xd0, 0x61]), Ok(()));
    assert_eq!(write_read(&mut guest, &[0xd0], 1), Ok(vec![0x61]));
    // A block: the register and the bytes after it, then read back from the first one.
    let calibration: Vec<u8> = (1..=24).collect();
    let mut block = vec![0x89];
    block.extend(&calibration);
    assert_eq!(write(&mut guest, &block), Ok(()));
    assert_eq!(write_read(&mut guest, &[0x89], 24), Ok(calibration.clone()));
    assert_eq!(write_read(&mut guest, &[0x8a], 2), Ok(vec![2, 3]));
    // A register pointer, then a plain one-byte read: the stub answers from the pointer.
    assert_eq!(write(&mut guest, &[0x8b]), Ok(()));
    assert_eq!(read(&mut guest, 1), Ok(vec![3]));

    // What SMBus cannot carry is refused before anything is sent, with the reason.
    assert_eq!(
        write_read(&mut guest, &[0x89], 33),
        Err("too-large".to_string()),
        "a register read over 32 bytes"
    );
    assert_eq!(
        read(&mut guest, 4),
        Err("other".to_string()),
        "a read of several bytes with no register first"
    );
    assert_eq!(
        guest
            .call::<(u8, &[u8], u32), (Result<Vec<Vec<u8>>, String>,)>(
                "transaction",
                (SENSOR, &[0x89], 2)
            )
            .0,
        Err("other".to_string()),
        "three segments"
    );
    // Nothing above changed the registers.
    assert_eq!(write_read(&mut guest, &[0x89], 24), Ok(calibration));
}
