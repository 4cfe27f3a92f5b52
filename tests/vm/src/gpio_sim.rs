//! Inside the VM: simulated GPIO chips made through gpio-sim's configfs interface, and their
//! lines read and pulled through its sysfs attributes (the kernel's
//! Documentation/admin-guide/gpio/gpio-sim.rst).

use std::path::{Path, PathBuf};

const CONFIGFS: &str = "/sys/kernel/config/gpio-sim";

/// A simulated chip with one bank of lines.
#[derive(Debug)]
pub struct SimChip {
    config: PathBuf,
    link: std::cell::RefCell<Option<PathBuf>>,
}

/// The line names of a Raspberry Pi's 40-pin header chip (`gpiochip0` on a Pi 4): GPIO0 to
/// GPIO27, the BCM numbers, as offsets 0 to 27.
pub fn pi_header_names() -> Vec<String> {
    (0..28).map(|n| format!("GPIO{n}")).collect()
}

fn write(path: &Path, value: &str) {
    std::fs::write(path, value)
        .unwrap_or_else(|e| panic!("cannot write {value:?} to {}: {e}", path.display()));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .trim()
        .to_string()
}

impl SimChip {
    /// Loads gpio-sim (once) and makes the chip `name` with one line per entry of `line_names`
    /// (offset = index), live.
    pub fn create(name: &str, line_names: &[String]) -> SimChip {
        if !Path::new(CONFIGFS).exists() {
            crate::insmod("gpio-sim", &[]);
        }
        let config = Path::new(CONFIGFS).join(name);
        std::fs::create_dir(&config)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", config.display()));
        let bank = config.join("bank0");
        std::fs::create_dir(&bank).unwrap();
        write(&bank.join("label"), name);
        write(&bank.join("num_lines"), &line_names.len().to_string());
        for (offset, line) in line_names.iter().enumerate() {
            let dir = bank.join(format!("line{offset}"));
            std::fs::create_dir(&dir).unwrap();
            write(&dir.join("name"), line);
        }
        let chip = SimChip {
            config,
            link: std::cell::RefCell::new(None),
        };
        chip.set_live(true);
        chip
    }

    /// Makes the chip appear (`true`) or disappear (`false`) from the system, as when a device
    /// is plugged in or out.
    pub fn set_live(&self, live: bool) {
        write(&self.config.join("live"), if live { "1" } else { "0" });
    }

    /// The chip's device name (`gpiochip0`) while it is live.
    pub fn chip_name(&self) -> String {
        read(&self.config.join("bank0").join("chip_name"))
    }

    /// The chip's character device, `/dev/gpiochipN`.
    pub fn dev(&self) -> PathBuf {
        Path::new("/dev").join(self.chip_name())
    }

    /// Points the symbolic link `path` at the chip's current character device, as a udev rule
    /// naming a chip by its label would.
    pub fn link(&self, path: &Path) {
        let _ = std::fs::remove_file(path);
        std::os::unix::fs::symlink(self.dev(), path)
            .unwrap_or_else(|e| panic!("cannot link {}: {e}", path.display()));
        *self.link.borrow_mut() = Some(path.to_path_buf());
    }

    /// The link [`SimChip::link`] made, if any.
    pub fn linked(&self) -> Option<PathBuf> {
        self.link.borrow().clone()
    }

    fn line_dir(&self, offset: u32) -> PathBuf {
        let platform = read(&self.config.join("dev_name"));
        Path::new("/sys/devices/platform")
            .join(platform)
            .join(self.chip_name())
            .join(format!("sim_gpio{offset}"))
    }

    /// The level of line `offset` as the simulator sees it: what a consumer drives on an output,
    /// the pull on an input.
    pub fn value(&self, offset: u32) -> bool {
        match read(&self.line_dir(offset).join("value")).as_str() {
            "1" => true,
            "0" => false,
            other => panic!("gpio-sim value of line {offset}: {other:?}"),
        }
    }

    /// Pulls line `offset` up (`true`) or down: what an input reads, with an edge event when
    /// it changes.
    pub fn pull(&self, offset: u32, up: bool) {
        write(
            &self.line_dir(offset).join("pull"),
            if up { "pull-up" } else { "pull-down" },
        );
    }
}
