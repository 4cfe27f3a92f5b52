//! Open discovery over a fake /dev tree of plain files.

use std::io;
use std::path::{Path, PathBuf};
use wasi_hal_board::discovery::scan;
use wasi_hal_board::{BoardFile, ErrorKind, GpioSource, SpiSource};

/// A fresh fake /dev under the test's scratch directory.
fn fake_dev(test: &str, files: &[&str]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("wasi-hal-board-discovery")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in files {
        std::fs::write(dir.join(file), b"").unwrap();
    }
    dir
}

const FILES: &[&str] = &[
    "spidev0.0",
    "spidev0.1",
    "spidev1.0",
    "i2c-1",
    "i2c-10",
    "i2c-2",
    "gpiochip0",
    "gpiochip1",
    // Not devices we offer:
    "tty0",
    "spidev",
    "spidev0",
    "spidev0.x",
    "i2c-",
    "i2c-x",
    "gpiochipA",
    "gpiomem",
];

fn lines(chip: &Path) -> io::Result<u32> {
    match chip.file_name().and_then(|n| n.to_str()) {
        Some("gpiochip0") => Ok(3),
        Some("gpiochip1") => Ok(2),
        _ => Err(io::Error::other("no such chip")),
    }
}

#[test]
fn scan_names_every_device_and_ignores_the_rest() {
    let dev = fake_dev("scan", FILES);
    let found = scan(&dev, &lines).unwrap();
    let names = |v: Vec<&str>| v.into_iter().map(String::from).collect::<Vec<_>>();
    assert_eq!(
        found.spi.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        names(vec!["spidev0.0", "spidev0.1", "spidev1.0"])
    );
    assert_eq!(found.spi[1].1, dev.join("spidev0.1"));
    assert_eq!(
        found.i2c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        names(vec!["i2c-1", "i2c-2", "i2c-10"])
    );
    assert_eq!(
        found
            .gpio
            .iter()
            .map(|(n, _, _)| n.clone())
            .collect::<Vec<_>>(),
        names(vec![
            "gpiochip0-0",
            "gpiochip0-1",
            "gpiochip0-2",
            "gpiochip1-0",
            "gpiochip1-1"
        ])
    );
    assert_eq!(
        found.gpio[4],
        ("gpiochip1-1".into(), dev.join("gpiochip1"), 1)
    );
}

#[test]
fn a_chip_whose_lines_cannot_be_counted_fails_the_scan() {
    let dev = fake_dev("uncountable", &["gpiochip7"]);
    let err = scan(&dev, &lines).unwrap_err();
    assert!(err.to_string().contains("gpiochip7"), "{err}");
}

fn linux_board(dev: &Path, body: &str) -> BoardFile {
    let text = format!(
        "[board]\nname = \"d\"\nbackend = \"linux\"\n\n[discovery]\nenabled = true\n\
         dev = {dev:?}\n\n[discovery.gpio]\nmodes = [\"input\"]\n\n{body}"
    );
    BoardFile::parse(&text, "d.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn discovery_adds_every_device_with_the_discovery_policy() {
    let dev = fake_dev("adds", FILES);
    let file = linux_board(&dev, "").with_discovery_using(&lines).unwrap();
    assert_eq!(file.spi.len(), 3);
    assert_eq!(file.i2c.len(), 3);
    assert_eq!(file.gpio.len(), 5);
    assert_eq!(
        file.spi["spidev1.0"].backend,
        SpiSource::Linux {
            path: dev.join("spidev1.0")
        }
    );
    // The defaults of [discovery.spi]: every mode, configurable, clamped at 10 MHz.
    let spi = &file.spi["spidev0.0"].policy;
    assert!(spi.configurable);
    assert_eq!(spi.modes.len(), 4);
    assert_eq!(spi.max_frequency_hz, 10_000_000);
    // [discovery.i2c] default: every target address, never general call or reserved ones.
    let i2c = &file.i2c["i2c-1"].policy;
    assert_eq!(i2c.addresses.first(), Some(&0x08));
    assert_eq!(i2c.addresses.last(), Some(&0x77));
    assert!(!i2c.addresses.contains(&0));
    // [discovery.gpio] as written: input only.
    let gpio = &file.gpio["gpiochip0-2"];
    assert!(gpio.policy.input && !gpio.policy.output);
    assert_eq!(
        gpio.backend,
        GpioSource::Linux {
            chip: dev.join("gpiochip0"),
            line: 2
        }
    );
}

#[test]
fn named_entries_win_over_discovered_ones() {
    let dev = fake_dev("named", FILES);
    let body = format!(
        "[spi.oled]\ndevice = {:?}\nmax-frequency-hz = 8_000_000\n\n\
         [gpio.dc]\nchip = {:?}\nline = 1\nmodes = [\"output\"]\n",
        dev.join("spidev0.0"),
        dev.join("gpiochip0"),
    );
    let file = linux_board(&dev, &body)
        .with_discovery_using(&lines)
        .unwrap();
    // spidev0.0 is `oled` only; line 1 of gpiochip0 is `dc` only.
    assert!(!file.spi.contains_key("spidev0.0"));
    assert_eq!(file.spi["oled"].policy.max_frequency_hz, 8_000_000);
    assert!(!file.gpio.contains_key("gpiochip0-1"));
    assert!(file.gpio.contains_key("gpiochip0-0") && file.gpio.contains_key("gpiochip0-2"));
    assert!(file.gpio["dc"].policy.output);
}

#[test]
fn discovery_is_off_unless_enabled() {
    let dev = fake_dev("off", FILES);
    let text = format!(
        "[board]\nname = \"d\"\nbackend = \"linux\"\n\n[discovery]\nenabled = false\ndev = {dev:?}\n"
    );
    let file = BoardFile::parse(&text, "d.toml").unwrap();
    assert!(file.discovery.is_none());
    let found = file.with_discovery_using(&lines).unwrap();
    assert_eq!(found.names().count(), 0);
}

#[test]
fn missing_dev_directory_is_a_clear_error() {
    let dev = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasi-hal-board-no-such-dev");
    let e = linux_board(&dev, "")
        .with_discovery_using(&lines)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Discovery);
    assert!(
        e.to_string()
            .starts_with("d.toml: key `discovery.dev`: cannot scan "),
        "{e}"
    );
}
