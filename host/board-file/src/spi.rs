//! `[spi.NAME]` and `[discovery.spi]`: SPI modes and settings, the policy a guest works under,
//! and what is behind each name.

use crate::document::Table;
use crate::error::{BoardError, ErrorKind};
use crate::load::{
    Context, DeviceKey, device_node, kebab, max_transfer, read_named, sorted_unique,
};
use crate::model::Backend;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Default SPI maximum frequency for devices found by `[discovery]`.
pub const DEFAULT_DISCOVERY_SPI_MAX_FREQUENCY_HZ: u32 = 10_000_000;

/// The SPI value types are the policy crate's, read with its `serde` spellings (`"mode0"`,
/// `"msb-first"`, `"clamp"`).
pub use wasi_hal_policy::{AboveMaximum as AboveMax, BitOrder, SpiMode};

crate::document::named_values!(SpiMode, BitOrder, AboveMax);

/// The bus settings of an SPI device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpiSettings {
    /// SCLK frequency in hertz.
    pub frequency_hz: u32,
    /// Clock polarity and phase.
    pub mode: SpiMode,
    /// Bit order.
    pub bit_order: BitOrder,
}

/// What a guest may do with an SPI device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpiPolicy {
    /// `max-frequency-hz`: the highest SCLK frequency (never 0).
    pub max_frequency_hz: u32,
    /// `modes`: the modes a guest may choose (never empty, sorted, no repeats).
    pub modes: Vec<SpiMode>,
    /// `bit-orders`: the bit orders a guest may choose (always contains `msb-first`).
    pub bit_orders: Vec<BitOrder>,
    /// `configurable`: `true` when a guest may change the settings, `false` when the board's
    /// `settings` are fixed.
    pub configurable: bool,
    /// `frequency-hz`, `mode`, `bit-order`: the settings in force when a guest opens the device
    /// (and always, when not configurable). They satisfy the policy.
    pub settings: SpiSettings,
    /// `above-max`: clamp or refuse requests above `max_frequency_hz`.
    pub above_max: AboveMax,
    /// `max-transfer-bytes`: the most bytes one call may move (never 0).
    pub max_transfer_bytes: u32,
}

/// What is behind an SPI name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SpiSource {
    /// The simulated part whose `spi` key names this device.
    Simulated,
    /// A Linux spidev node (one bus and chip select), e.g. `/dev/spidev0.0`.
    Linux {
        /// The device node.
        path: PathBuf,
    },
}

/// One `[spi.NAME]` entry.
pub type SpiEntry = crate::model::Entry<SpiSource, SpiPolicy>;

/// The keys of an SPI table.
const KEYS: &[&str] = &[
    "device",
    "max-frequency-hz",
    "modes",
    "bit-orders",
    "configurable",
    "frequency-hz",
    "mode",
    "bit-order",
    "above-max",
    "max-transfer-bytes",
];

/// What the `device` key of `[spi.NAME]` must say.
const DEVICE: DeviceKey = DeviceKey {
    mapped_as: "(one bus and chip select) is already mapped as ",
    mapped_note: "",
    missing: "missing required key: a linux board maps each SPI name to a spidev node, e.g. \
              device = \"/dev/spidev0.0\"",
    on_simulated: "a simulated board has no device nodes: the part whose `spi` key names this \
                   device is behind it",
};

/// Reads `[spi.NAME]`, in file order: one device node per name on a Linux board.
pub(crate) fn read_entries(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<BTreeMap<String, SpiEntry>, BoardError> {
    let mut nodes = BTreeMap::new();
    read_named(root, "spi", KEYS, |table, name| {
        let source = match device_node(table, backend, name, &mut nodes, "spi", &DEVICE)? {
            Some(path) => SpiSource::Linux { path },
            None => SpiSource::Simulated,
        };
        Ok((source, read_policy(table, Context::Named)?))
    })
}

/// Reads and checks an SPI policy table.
pub(crate) fn read_policy(
    table: &Table<'_, '_>,
    context: Context,
) -> Result<SpiPolicy, BoardError> {
    table.only(KEYS)?;
    let max_frequency_hz = table.get::<u32>("max-frequency-hz")?;
    let listed_modes = table.array::<SpiMode>("modes")?;
    let listed_bit_orders = table.array::<BitOrder>("bit-orders")?;
    let configurable = table.get::<bool>("configurable")?;
    let frequency_hz = table.get::<u32>("frequency-hz")?;
    let mode = table.get::<SpiMode>("mode")?;
    let bit_order = table.get::<BitOrder>("bit-order")?;
    let above_max = table.get::<AboveMax>("above-max")?;
    let max_transfer_bytes = table.get::<u32>("max-transfer-bytes")?;
    let device = table.get::<String>("device")?;

    let max_frequency_hz = match (max_frequency_hz, context) {
        (Some(hz), _) => hz,
        (None, Context::Discovery) => DEFAULT_DISCOVERY_SPI_MAX_FREQUENCY_HZ,
        (None, Context::Named) => {
            return Err(table.key_error(
                "max-frequency-hz",
                ErrorKind::MissingKey,
                "missing required key: the highest SCLK frequency a guest may use, in hertz",
            ));
        }
    };
    if max_frequency_hz == 0 {
        return Err(table.value_error(
            "max-frequency-hz",
            ErrorKind::ImpossiblePolicy,
            "a maximum frequency of 0 Hz allows no transfer at all",
        ));
    }
    let modes = match (&listed_modes, mode, context) {
        (Some(modes), _, _) => sorted_unique(modes),
        (None, Some(mode), Context::Named) => vec![mode],
        (None, None, Context::Named) => vec![SpiMode::Mode0],
        (None, _, Context::Discovery) => SpiMode::ALL.to_vec(),
    };
    if modes.is_empty() {
        return Err(table.value_error(
            "modes",
            ErrorKind::ImpossiblePolicy,
            "no allowed modes: list at least one of \"mode0\", \"mode1\", \"mode2\", \"mode3\"",
        ));
    }
    let bit_orders = match (&listed_bit_orders, bit_order) {
        (Some(orders), _) => sorted_unique(orders),
        (None, Some(order)) => sorted_unique(&[BitOrder::MsbFirst, order]),
        (None, None) => vec![BitOrder::MsbFirst],
    };
    if bit_orders.is_empty() {
        return Err(table.value_error(
            "bit-orders",
            ErrorKind::ImpossiblePolicy,
            "no allowed bit orders: list \"msb-first\", \"lsb-first\" or both",
        ));
    }
    if !bit_orders.contains(&BitOrder::MsbFirst) {
        return Err(table.value_error(
            "bit-orders",
            ErrorKind::InvalidValue,
            "`msb-first` is always allowed (wasi-hal-spi cannot forbid it): list it",
        ));
    }
    let mode = mode.unwrap_or(modes[0]);
    if !modes.contains(&mode) {
        return Err(table.value_error(
            "mode",
            ErrorKind::ImpossiblePolicy,
            format!(
                "the board's mode `{}` is not one of the allowed `modes`",
                kebab(&mode)
            ),
        ));
    }
    let bit_order = bit_order.unwrap_or(bit_orders[0]);
    if !bit_orders.contains(&bit_order) {
        return Err(table.value_error(
            "bit-order",
            ErrorKind::ImpossiblePolicy,
            format!(
                "the board's bit order `{}` is not one of the allowed `bit-orders`",
                kebab(&bit_order)
            ),
        ));
    }
    let frequency_hz = frequency_hz.unwrap_or(max_frequency_hz);
    if frequency_hz == 0 {
        return Err(table.value_error(
            "frequency-hz",
            ErrorKind::ImpossiblePolicy,
            "a frequency of 0 Hz moves no data",
        ));
    }
    if frequency_hz > max_frequency_hz {
        return Err(table.value_error(
            "frequency-hz",
            ErrorKind::ImpossiblePolicy,
            format!(
                "the board's frequency {frequency_hz} Hz is above max-frequency-hz \
                 ({max_frequency_hz} Hz)"
            ),
        ));
    }
    let max_transfer_bytes = max_transfer(table, "max-transfer-bytes", max_transfer_bytes)?;
    if context == Context::Discovery && device.is_some() {
        return Err(table.key_error(
            "device",
            ErrorKind::UnknownKey,
            "discovered devices take their node from the scan: remove `device`",
        ));
    }
    Ok(SpiPolicy {
        max_frequency_hz,
        modes,
        bit_orders,
        configurable: configurable.unwrap_or(context == Context::Discovery),
        settings: SpiSettings {
            frequency_hz,
            mode,
            bit_order,
        },
        above_max: above_max.unwrap_or(AboveMax::Clamp),
        max_transfer_bytes,
    })
}
