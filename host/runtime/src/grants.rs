//! What a component may open: its grants turned into the contexts of its store, and into the
//! board it sees for import checks. A name that is not granted is simply not in its contexts,
//! so opening it is `not-found`, exactly as on a board without it: the host enforces it, the
//! guest cannot get around it.

use anyhow::{Result, anyhow};
use std::collections::BTreeSet;
use wasi_hal_board::{Board, BoardFile, I2cSource};
use wasi_hal_device_file::{ComponentEntry, Grant};
use wasi_hal_gpio::WasiGpioCtx;
use wasi_hal_i2c::{AllowedAddresses, I2cPolicy, SharedI2cBus, WasiI2cCtx};
use wasi_hal_linker::WasiHalCtx;
use wasi_hal_spi::WasiSpiCtx;
use wasmtime_wasi_config::WasiConfigVariables;

/// The I2C addresses of bus `bus` that `grants` give one address at a time (empty: the bus is
/// granted whole, or not at all).
fn granted_addresses<'a>(grants: &'a [Grant], bus: &'a str) -> BTreeSet<u8> {
    grants
        .iter()
        .filter(|g| g.name == bus)
        .filter_map(|g| g.address)
        .collect()
}

/// The board as `component` sees it: only the names it was granted, an I2C bus granted address
/// by address with only those addresses. For the import checks, which then say "the board has
/// no ..." about anything not granted.
pub fn visible_board(board: &BoardFile, component: &ComponentEntry) -> BoardFile {
    let granted: BTreeSet<&str> = component.grants.iter().map(|g| g.name.as_str()).collect();
    let mut file = board.clone();
    file.spi.retain(|name, _| granted.contains(name.as_str()));
    file.gpio.retain(|name, _| granted.contains(name.as_str()));
    file.i2c.retain(|name, _| granted.contains(name.as_str()));
    for (name, entry) in &mut file.i2c {
        let addresses = granted_addresses(&component.grants, name);
        if !addresses.is_empty() {
            entry.policy.addresses = addresses;
        }
    }
    file.discovery = None;
    file
}

/// The contexts of one store of `component`: its granted SPI devices, I2C buses, GPIO lines, PWM
/// channels and host-served sensor,
/// the board's time base, and `wasi:config` values (the board's `[config]`, then the
/// component's own).
///
/// A whole name is the board's shared handle (one holder at a time, as for any guest). An I2C
/// bus granted by address is a handle of its own on the same bus with only those addresses
/// allowed: the component holds it without keeping the other components that share the bus
/// from their own addresses, and every transaction stays atomic on the bus.
pub fn guest_ctx(board: &Board, component: &ComponentEntry) -> Result<WasiHalCtx> {
    let file = board.file();
    let mut spi = WasiSpiCtx::builder();
    let mut i2c = WasiI2cCtx::builder();
    let mut gpio = WasiGpioCtx::builder();
    let mut pwm = wasi_hal_pwm::WasiPwmCtx::builder();
    // The host-served sensor (`[sensor.NAME]`) only for a component granted its name.
    let mut sensor = wasi_hal_iio::WasiIioCtx::default();
    let mut done = BTreeSet::new();
    for grant in &component.grants {
        if !done.insert(grant.name.as_str()) {
            continue;
        }
        let name = grant.name.as_str();
        let missing = || {
            anyhow!(
                "the board has no `{name}` (granted to `{}`)",
                component.name
            )
        };
        if file.spi.contains_key(name) {
            spi.device(name, board.spi_device(name).ok_or_else(missing)?);
        } else if file.gpio.contains_key(name) {
            gpio.pin(name, board.pin(name).ok_or_else(missing)?);
        } else if file.pwm.contains_key(name) {
            pwm.channel(name, board.pwm_channel(name).ok_or_else(missing)?);
        } else if file.sensors.contains_key(name) {
            sensor = board.sensor_ctx();
        } else if let Some(entry) = file.i2c.get(name) {
            let addresses = granted_addresses(&component.grants, name);
            if addresses.is_empty() {
                i2c.bus(name, board.i2c_bus(name).ok_or_else(missing)?);
            } else {
                let policy = I2cPolicy {
                    allowed_addresses: AllowedAddresses::Only(addresses.into_iter().collect()),
                    max_transfer_bytes: entry.policy.max_transfer_bytes,
                };
                i2c.bus(name, &own_bus_handle(board, name, &entry.backend, policy)?);
            }
        } else {
            return Err(missing());
        }
    }
    let mut config: WasiConfigVariables = file.config.iter().collect();
    for (key, value) in &component.config {
        config.insert(key, value);
    }
    Ok(WasiHalCtx {
        spi: spi.build(),
        i2c: i2c.build(),
        gpio: gpio.build(),
        pwm: pwm.build(),
        delay: board.delay_ctx(),
        sensor,
        config,
    })
}

/// A handle of its own on the I2C bus `name`, under `policy`.
fn own_bus_handle(
    board: &Board,
    name: &str,
    source: &I2cSource,
    policy: I2cPolicy,
) -> Result<SharedI2cBus> {
    match source {
        I2cSource::Simulated => {
            let bus = board
                .simulated()
                .and_then(|sim| sim.i2c(name))
                .ok_or_else(|| anyhow!("the simulated board has no I2C bus `{name}`"))?;
            Ok(SharedI2cBus::from_hal(bus, policy))
        }
        #[cfg(target_os = "linux")]
        I2cSource::Linux { path } => {
            // Each handle is its own open file; the kernel runs each transaction as one
            // I2C_RDWR ioctl, atomic on the bus.
            let bus = wasi_hal_i2c::LinuxI2cBus::open(path)
                .map_err(|e| anyhow!("cannot open {} for `{name}`: {e}", path.display()))?;
            Ok(SharedI2cBus::new(bus, policy))
        }
        #[cfg(not(target_os = "linux"))]
        I2cSource::Linux { .. } => Err(anyhow!(
            "sharing the Linux I2C bus `{name}` by address needs Linux"
        )),
    }
}
