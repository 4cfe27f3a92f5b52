//! Open discovery: every spidev, i2c-dev and gpiochip line under a directory, offered under the
//! names `spidevB.C`, `i2c-N` and `gpiochipN-L`.
//!
//! Discovery is off unless a board file says `[discovery] enabled = true`. The scan only looks at
//! file names, so it runs against any directory; the number of lines of each GPIO chip comes
//! from a function the caller passes (on Linux, [`chip_line_count`] asks the chip; tests pass a
//! table).

use crate::{
    BoardError, BoardFile, ErrorKind, GpioEntry, GpioSource, I2cEntry, I2cSource, Location,
    SpiEntry, SpiSource,
};
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// What a scan found, sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// `(name, node)` of each spidev node, e.g. `("spidev0.1", "/dev/spidev0.1")`.
    pub spi: Vec<(String, PathBuf)>,
    /// `(name, node)` of each i2c-dev node, e.g. `("i2c-1", "/dev/i2c-1")`.
    pub i2c: Vec<(String, PathBuf)>,
    /// `(name, chip, line)` of each GPIO line, e.g. `("gpiochip0-17", "/dev/gpiochip0", 17)`.
    pub gpio: Vec<(String, PathBuf, u32)>,
}

/// Scans `dev` (normally `/dev`) for `spidevB.C`, `i2c-N` and `gpiochipN` entries.
/// `lines_of(chip)` gives the number of lines of a GPIO chip; a chip whose count cannot be read
/// fails the scan (a board that asked for every line should not silently get fewer).
pub fn scan(dev: &Path, lines_of: &dyn Fn(&Path) -> io::Result<u32>) -> io::Result<Found> {
    let mut found = Found::default();
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(dev)?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name().into_string().ok()?;
            Some((name, entry.path()))
        })
        .collect();
    entries.sort();
    for (name, path) in entries {
        if let Some(rest) = name.strip_prefix("spidev")
            && let Some((bus, cs)) = rest.split_once('.')
            && is_number(bus)
            && is_number(cs)
        {
            found.spi.push((name, path));
        } else if let Some(n) = name.strip_prefix("i2c-")
            && is_number(n)
        {
            found.i2c.push((name, path));
        } else if let Some(n) = name.strip_prefix("gpiochip")
            && is_number(n)
        {
            let count = lines_of(&path).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("{}: cannot count lines: {e}", path.display()),
                )
            })?;
            for line in 0..count {
                found
                    .gpio
                    .push((format!("{name}-{line}"), path.clone(), line));
            }
        }
    }
    // Numbers in numeric order: i2c-2 before i2c-10, gpiochip0-2 before gpiochip0-10.
    found.spi.sort_by_key(|entry| natural(&entry.0));
    found.i2c.sort_by_key(|entry| natural(&entry.0));
    found.gpio.sort_by_key(|entry| natural(&entry.0));
    Ok(found)
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A key that orders digit runs by value: `i2c-2` before `i2c-10`.
fn natural(name: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((
                    digits.parse().unwrap_or(u64::MAX),
                    std::mem::take(&mut text),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    key.push((digits.parse().unwrap_or(0), text));
    key
}

/// The number of lines of a Linux GPIO chip, from its chip-info ioctl.
#[cfg(target_os = "linux")]
pub fn chip_line_count(chip: &Path) -> io::Result<u32> {
    use std::os::fd::AsRawFd;

    /// `struct gpiochip_info` from `<linux/gpio.h>`.
    #[repr(C)]
    struct GpioChipInfo {
        name: [u8; 32],
        label: [u8; 32],
        lines: u32,
    }
    /// `GPIO_GET_CHIPINFO_IOCTL` = `_IOR(0xB4, 0x01, struct gpiochip_info)`.
    /// (direction read = 2 << 30, size 68 << 16, type 0xB4 << 8, number 1).
    const GPIO_GET_CHIPINFO_IOCTL: u64 = 0x8044_B401;

    let file = std::fs::File::open(chip)?;
    let mut info = GpioChipInfo {
        name: [0; 32],
        label: [0; 32],
        lines: 0,
    };
    // SAFETY: `info` is a valid, writable `gpiochip_info` that outlives the call, and the fd is
    // open for the duration of the call.
    let rc = unsafe {
        libc::ioctl(
            file.as_raw_fd(),
            GPIO_GET_CHIPINFO_IOCTL as _,
            &mut info as *mut GpioChipInfo,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(info.lines)
}

/// The number of lines of a GPIO chip: not available off Linux.
#[cfg(not(target_os = "linux"))]
pub fn chip_line_count(chip: &Path) -> io::Result<u32> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{}: GPIO chips can only be counted on Linux",
            chip.display()
        ),
    ))
}

impl BoardFile {
    /// The board with everything `[discovery]` finds added, scanning its `dev` directory with
    /// [`chip_line_count`]. A board without discovery comes back unchanged.
    pub fn with_discovery(&self) -> Result<BoardFile, BoardError> {
        self.with_discovery_using(&chip_line_count)
    }

    /// [`BoardFile::with_discovery`] with the GPIO line counts from `lines_of`.
    ///
    /// Named entries win: a discovered device whose node (or chip and line) a named entry
    /// already maps, or whose generated name a named entry already uses, is left out.
    pub fn with_discovery_using(
        &self,
        lines_of: &dyn Fn(&Path) -> io::Result<u32>,
    ) -> Result<BoardFile, BoardError> {
        let Some(discovery) = &self.discovery else {
            return Ok(self.clone());
        };
        let found = scan(&discovery.dev, lines_of).map_err(|e| {
            BoardError::new(
                &self.path,
                ErrorKind::Discovery,
                format!("cannot scan {}: {e}", discovery.dev.display()),
            )
            .with_key("discovery.dev")
        })?;
        let mut out = self.clone();
        let names: BTreeSet<String> = self.names().map(|(_, n)| n.to_owned()).collect();
        let spi_nodes: BTreeSet<PathBuf> = self
            .spi
            .values()
            .filter_map(|e| match &e.backend {
                SpiSource::Linux { path } => Some(path.clone()),
                SpiSource::Simulated => None,
            })
            .collect();
        let i2c_nodes: BTreeSet<PathBuf> = self
            .i2c
            .values()
            .filter_map(|e| match &e.backend {
                I2cSource::Linux { path } => Some(path.clone()),
                I2cSource::Simulated => None,
            })
            .collect();
        let gpio_lines: BTreeSet<(PathBuf, u32)> = self
            .gpio
            .values()
            .filter_map(|e| match &e.backend {
                GpioSource::Linux { chip, line } => Some((chip.clone(), *line)),
                GpioSource::Simulated => None,
            })
            .collect();
        // Discovered entries have no place in the file.
        let location = Location::default();
        for (name, path) in found.spi {
            if !names.contains(&name) && !spi_nodes.contains(&path) {
                let entry = SpiEntry {
                    backend: SpiSource::Linux { path },
                    policy: discovery.spi.clone(),
                    location,
                };
                out.spi.insert(name, entry);
            }
        }
        for (name, path) in found.i2c {
            if !names.contains(&name) && !i2c_nodes.contains(&path) {
                let entry = I2cEntry {
                    backend: I2cSource::Linux { path },
                    policy: discovery.i2c.clone(),
                    location,
                };
                out.i2c.insert(name, entry);
            }
        }
        for (name, chip, line) in found.gpio {
            if !names.contains(&name) && !gpio_lines.contains(&(chip.clone(), line)) {
                let entry = GpioEntry {
                    backend: GpioSource::Linux { chip, line },
                    policy: discovery.gpio,
                    location,
                };
                out.gpio.insert(name, entry);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_puts_small_numbers_first() {
        let mut names = vec!["i2c-10", "i2c-2", "i2c-1"];
        names.sort_by_key(|n| natural(n));
        assert_eq!(names, ["i2c-1", "i2c-2", "i2c-10"]);
    }
}
