//! What this host offers, and which imports of a component it and a board can satisfy: checked
//! before anything is compiled or linked, so that every missing one is reported at once, each
//! with why (no such package here, the package without that interface, another version, or a
//! board without an entry) and what would satisfy it.

use wasi_hal_board::BoardFile;

/// Who provides an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// WASI 0.2 (`wasi:cli`, `wasi:io`, `wasi:clocks`, `wasi:random`, `wasi:filesystem`,
    /// `wasi:sockets`), from wasmtime-wasi.
    Wasi,
    /// `wasi:config/store`, with values from the board file and `--config`.
    Config,
    /// `wasi:spi/spi`.
    Spi,
    /// `wasi:i2c/i2c`.
    I2c,
    /// `wasi:gpio/gpio`.
    Gpio,
    /// `wasi:delay/delay`.
    Delay,
    /// `wasi:pwm/pwm`.
    Pwm,
    /// `sensor:environment/environment`, served by the host from the board's `[sensor.NAME]`
    /// (a kernel IIO sensor or a simulated DHT22).
    Sensor,
}

/// One package this host implements: its interfaces, the versions it accepts, and who
/// provides them.
#[derive(Clone, Copy, Debug)]
pub struct OfferedPackage {
    /// `namespace:name`, e.g. `wasi:spi`.
    pub package: &'static str,
    /// The interfaces of the package this host has.
    pub interfaces: &'static [&'static str],
    /// The versions accepted, as written for people: `0.1.x`.
    pub versions: &'static str,
    /// Who provides them.
    pub provider: Provider,
}

impl OfferedPackage {
    /// Whether this host accepts `version` of the package (semver-compatible with the one it
    /// implements: the same `0.minor`, any patch; for a pre-release, exactly that one).
    pub fn accepts(&self, version: &str) -> bool {
        match self.versions.strip_suffix(".x") {
            Some(prefix) => version == prefix || version.starts_with(&format!("{prefix}.")),
            None => version == self.versions,
        }
    }
}

/// Every package this host implements (the linkers of `wasi-hal run` and of [`crate::Device`] hold exactly
/// these).
pub const OFFERED: &[OfferedPackage] = &[
    OfferedPackage {
        package: "wasi:cli",
        interfaces: &[
            "environment",
            "exit",
            "stdin",
            "stdout",
            "stderr",
            "terminal-input",
            "terminal-output",
            "terminal-stdin",
            "terminal-stdout",
            "terminal-stderr",
        ],
        versions: "0.2.x",
        provider: Provider::Wasi,
    },
    OfferedPackage {
        package: "wasi:io",
        interfaces: &["error", "poll", "streams"],
        versions: "0.2.x",
        provider: Provider::Wasi,
    },
    OfferedPackage {
        package: "wasi:clocks",
        interfaces: &["monotonic-clock", "wall-clock"],
        versions: "0.2.x",
        provider: Provider::Wasi,
    },
    OfferedPackage {
        package: "wasi:random",
        interfaces: &["random", "insecure", "insecure-seed"],
        versions: "0.2.x",
        provider: Provider::Wasi,
    },
    OfferedPackage {
        package: "wasi:filesystem",
        interfaces: &["types", "preopens"],
        versions: "0.2.x",
        provider: Provider::Wasi,
    },
    OfferedPackage {
        package: "wasi:sockets",
        interfaces: &[
            "network",
            "instance-network",
            "udp",
            "udp-create-socket",
            "tcp",
            "tcp-create-socket",
            "ip-name-lookup",
        ],
        versions: "0.2.x",
        provider: Provider::Wasi,
    },
    OfferedPackage {
        package: "wasi:config",
        interfaces: &["store"],
        versions: "0.2.0-rc.1",
        provider: Provider::Config,
    },
    OfferedPackage {
        package: "wasi:spi",
        interfaces: &["spi"],
        versions: "0.1.x",
        provider: Provider::Spi,
    },
    OfferedPackage {
        package: "wasi:i2c",
        interfaces: &["i2c"],
        versions: "0.1.x",
        provider: Provider::I2c,
    },
    OfferedPackage {
        package: "wasi:gpio",
        interfaces: &["gpio"],
        versions: "0.1.x",
        provider: Provider::Gpio,
    },
    OfferedPackage {
        package: "wasi:delay",
        interfaces: &["delay"],
        versions: "0.1.x",
        provider: Provider::Delay,
    },
    OfferedPackage {
        package: "wasi:pwm",
        interfaces: &["pwm"],
        versions: "0.1.x",
        provider: Provider::Pwm,
    },
    OfferedPackage {
        package: "sensor:environment",
        interfaces: &["environment"],
        versions: "0.1.x",
        provider: Provider::Sensor,
    },
];

/// The device-class packages of this project: drivers export them and apps import them. The
/// host serves one of them itself (`sensor:environment`, from a board's `[sensor.NAME]`).
const DEVICE_CLASSES: &[&str] = &[
    "display:pixels",
    "sensor:environment",
    "led:strip",
    "sound:buzzer",
];

/// A one-line summary of what this host offers, for error messages.
pub fn offered_summary() -> String {
    let mut wasi = Vec::new();
    let mut rest = Vec::new();
    for p in OFFERED {
        if p.provider == Provider::Wasi {
            wasi.push(p.package);
        } else {
            for interface in p.interfaces {
                rest.push(format!("{}/{interface}@{}", p.package, p.versions));
            }
        }
    }
    format!("WASI 0.2.x ({}), {}", wasi.join(", "), rest.join(", "))
}

/// An import name taken apart: `wasi:spi/spi@0.1.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportName<'a> {
    /// `wasi:spi`.
    pub package: &'a str,
    /// `spi`.
    pub interface: &'a str,
    /// `0.1.0`, when the name has a version.
    pub version: Option<&'a str>,
}

impl<'a> ImportName<'a> {
    /// Parses `namespace:package/interface[@version]`; `None` for any other kind of name.
    pub fn parse(name: &'a str) -> Option<Self> {
        let (path, version) = match name.split_once('@') {
            Some((p, v)) => (p, Some(v)),
            None => (name, None),
        };
        let (package, interface) = path.split_once('/')?;
        package.contains(':').then_some(Self {
            package,
            interface,
            version,
        })
    }
}

/// Classifies an import name: the provider, or `None` when nothing here provides it.
pub fn provider_of(name: &str) -> Option<Provider> {
    let import = ImportName::parse(name)?;
    OFFERED
        .iter()
        .find(|p| {
            p.package == import.package
                && p.interfaces.contains(&import.interface)
                && import.version.is_some_and(|v| p.accepts(v))
        })
        .map(|p| p.provider)
}

/// One import the run cannot satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsatisfiedImport {
    /// The import's full name, e.g. `wasi:i2c/i2c@0.1.0`.
    pub import: String,
    /// Why it is not satisfied, and what would satisfy it.
    pub hint: String,
    /// Whether a board entry is what is missing (the host has the interface).
    pub board_is_missing_it: bool,
}

/// Why this host cannot satisfy `name`, or `None` when it can (the board aside).
pub fn host_lacks(name: &str) -> Option<String> {
    let Some(import) = ImportName::parse(name) else {
        return Some(
            "not an interface of a package (`namespace:package/interface@version`): this host \
             offers only interfaces of packages"
                .to_string(),
        );
    };
    let package = OFFERED.iter().find(|p| p.package == import.package);
    let Some(package) = package else {
        if DEVICE_CLASSES.contains(&import.package) {
            return Some(format!(
                "this host does not have the package `{}`: it is a device class, which drivers \
                 export; compose this app with a driver that exports it (`wac plug APP --plug \
                 DRIVER`)",
                import.package
            ));
        }
        return Some(format!(
            "this host does not have the package `{}` at all; compose the component with one \
             that exports `{}/{}`",
            import.package, import.package, import.interface
        ));
    };
    if !package.interfaces.contains(&import.interface) {
        return Some(format!(
            "this host has the package `{}` but no interface `{}` in it (it has: {})",
            package.package,
            import.interface,
            package.interfaces.join(", ")
        ));
    }
    match import.version {
        Some(v) if package.accepts(v) => None,
        Some(v) => Some(format!(
            "this host has `{}/{}` at version {}, not {v}",
            package.package, import.interface, package.versions
        )),
        None => Some(format!(
            "the import has no version; this host has `{}/{}` at version {}",
            package.package, import.interface, package.versions
        )),
    }
}

/// Every import in `imports` that this host or `board` cannot satisfy, with a hint each.
///
/// A bus interface counts as satisfied only when the board offers at least one name of that
/// kind: a driver that needs I2C on a board without I2C cannot work, and saying so up front
/// beats a `not-permitted` error from deep inside the guest. Only then is the board blamed.
pub fn check_imports<'a>(
    imports: impl IntoIterator<Item = &'a str>,
    board: &BoardFile,
) -> Vec<UnsatisfiedImport> {
    let board_path = board.path.display().to_string();
    let mut unsatisfied = Vec::new();
    for name in imports {
        if let Some(hint) = host_lacks(name) {
            unsatisfied.push(UnsatisfiedImport {
                import: name.to_string(),
                hint,
                board_is_missing_it: false,
            });
            continue;
        }
        let hint = match provider_of(name) {
            Some(Provider::Spi) if board.spi.is_empty() => format!(
                "the board {board_path} offers no SPI device: add an `[spi.NAME]` entry to it"
            ),
            Some(Provider::I2c) if board.i2c.is_empty() => {
                format!("the board {board_path} offers no I2C bus: add an `[i2c.NAME]` entry to it")
            }
            Some(Provider::Gpio) if board.gpio.is_empty() => format!(
                "the board {board_path} offers no GPIO line: add a `[gpio.NAME]` entry to it"
            ),
            Some(Provider::Pwm) if board.pwm.is_empty() => format!(
                "the board {board_path} offers no PWM channel: add a `[pwm.NAME]` entry to it"
            ),
            Some(Provider::Sensor) if board.sensors.is_empty() => format!(
                "the board {board_path} has no host-read sensor: add a `[sensor.NAME]` entry to \
                 it, or compose the app with a driver that exports `sensor:environment` (`wac \
                 plug APP --plug DRIVER`)"
            ),
            _ => continue,
        };
        unsatisfied.push(UnsatisfiedImport {
            import: name.to_string(),
            hint,
            board_is_missing_it: true,
        });
    }
    unsatisfied
}

/// The board entries that serve an import of `provider`, as `[kind.NAME]` (empty for imports
/// no board entry serves).
pub fn board_entries(provider: Provider, board: &BoardFile) -> Vec<String> {
    match provider {
        Provider::Spi => board.spi.keys().map(|k| format!("[spi.{k}]")).collect(),
        Provider::I2c => board.i2c.keys().map(|k| format!("[i2c.{k}]")).collect(),
        Provider::Gpio => board.gpio.keys().map(|k| format!("[gpio.{k}]")).collect(),
        Provider::Pwm => board.pwm.keys().map(|k| format!("[pwm.{k}]")).collect(),
        Provider::Sensor => board
            .sensors
            .keys()
            .map(|k| format!("[sensor.{k}]"))
            .collect(),
        Provider::Config => board
            .config
            .keys()
            .map(|k| format!("[config] {k}"))
            .collect(),
        Provider::Wasi | Provider::Delay => Vec::new(),
    }
}

/// The `wasi:cli/run` versions this host runs.
const RUN_VERSIONS: &str = "0.2.x";

/// Why this component cannot be run as a command, from its export names; `None` when it
/// exports `wasi:cli/run@0.2.x`.
pub fn not_a_command(path: &str, exports: &[String], imports: &[String]) -> Option<String> {
    let runs = |name: &String| {
        ImportName::parse(name).is_some_and(|n| {
            n.package == "wasi:cli"
                && n.interface == "run"
                && n.version
                    .is_some_and(|v| v == "0.2" || v.starts_with(&format!("{}.", "0.2")))
        })
    };
    if exports.iter().any(runs) {
        return None;
    }
    let mut message =
        format!("{path} does not export `wasi:cli/run@{RUN_VERSIONS}`, so there is nothing to run");
    if let Some(other) = exports.iter().find(|e| {
        ImportName::parse(e).is_some_and(|n| n.package == "wasi:cli" && n.interface == "run")
    }) {
        message.push_str(&format!(
            ": it exports `{other}`, and this host runs `wasi:cli/run@{RUN_VERSIONS}`"
        ));
        return Some(message);
    }
    if exports.is_empty() {
        message.push_str(": it exports nothing");
    } else {
        message.push_str(&format!("; it exports: {}", exports.join(", ")));
    }
    let uses_buses = imports.iter().any(|i| {
        matches!(
            provider_of(i),
            Some(Provider::Spi | Provider::I2c | Provider::Gpio | Provider::Pwm)
        )
    });
    let exports_a_class = exports
        .iter()
        .any(|e| ImportName::parse(e).is_some_and(|n| DEVICE_CLASSES.contains(&n.package)));
    if uses_buses || exports_a_class {
        message.push_str(&format!(
            "\nit looks like a driver: compose it with an app: wac plug APP --plug {path}"
        ));
    } else {
        message.push_str(
            "\nwasi-hal runs commands: components that export `wasi:cli/run` (an app built for \
             wasm32-wasip2 with a `main`, composed with its drivers)",
        );
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified_by_package_and_compatible_version() {
        assert_eq!(provider_of("wasi:spi/spi@0.1.0"), Some(Provider::Spi));
        assert_eq!(provider_of("wasi:spi/spi@0.1.3"), Some(Provider::Spi));
        assert_eq!(provider_of("wasi:spi/spi@0.2.0"), None);
        assert_eq!(provider_of("wasi:spi/spi"), None);
        assert_eq!(provider_of("wasi:i2c/i2c@0.1.0"), Some(Provider::I2c));
        assert_eq!(provider_of("wasi:gpio/gpio@0.1.0"), Some(Provider::Gpio));
        assert_eq!(provider_of("wasi:delay/delay@0.1.0"), Some(Provider::Delay));
        assert_eq!(provider_of("wasi:cli/stdout@0.2.6"), Some(Provider::Wasi));
        assert_eq!(provider_of("wasi:io/streams@0.2.0"), Some(Provider::Wasi));
        assert_eq!(
            provider_of("wasi:config/store@0.2.0-rc.1"),
            Some(Provider::Config)
        );
        assert_eq!(provider_of("display:pixels/display@0.1.1"), None);
        assert_eq!(provider_of("wasi:http/types@0.2.0"), None);
        assert_eq!(provider_of("wasi:gpio/pwm@0.1.0"), None);
    }

    #[test]
    fn each_kind_of_missing_import_is_told_apart() {
        let lacks = |n| host_lacks(n).unwrap();
        assert!(
            lacks("wasi:http/types@0.2.0").contains("does not have the package `wasi:http` at all")
        );
        assert!(
            lacks("wasi:gpio/pwm@0.1.0")
                .contains("has the package `wasi:gpio` but no interface `pwm`")
        );
        assert!(lacks("wasi:delay/delay@0.2.0").contains("at version 0.1.x, not 0.2.0"));
        assert!(lacks("display:pixels/display@0.1.1").contains("device class"));
        assert_eq!(host_lacks("wasi:pwm/pwm@0.1.0"), None);
        assert_eq!(host_lacks("sensor:environment/environment@0.1.0"), None);
        assert_eq!(host_lacks("wasi:delay/delay@0.1.0"), None);
    }
}
