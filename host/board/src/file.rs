//! Layer 1: the board file as data. [`BoardFile::parse`] reads the TOML, checks every rule of
//! the schema (docs/board-file.md) and returns a description with no live devices in it.

use crate::error::{BoardError, ErrorKind, Location, missing_field_name, translate_serde_message};
use crate::spans::{Seg, Spans, display_path, keys};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use wasi_hal_sim::ssd1306::Panel;

/// Default for `max-transfer-bytes`: Linux spidev's default `bufsiz`.
pub const DEFAULT_MAX_TRANSFER_BYTES: u32 = 4096;
/// The largest `max-transfer-bytes` a board file may give (16 MiB). The host allocates a
/// guest's read buffers before the bytes are copied into the guest's memory, so the cap is also
/// the most one guest call can make the host allocate; values above it are refused.
pub const MAX_TRANSFER_BYTES_LIMIT: u32 = 16 << 20;
/// The largest board file [`BoardFile::load`] reads (1 MiB): real boards are a few KiB; a
/// larger file (or an endless one such as `/dev/zero`) is refused before it fills memory.
pub const MAX_BOARD_FILE_BYTES: u64 = 1 << 20;
/// Default I2C bus clock (fast mode), used to time transfers on a simulated bus.
pub const DEFAULT_I2C_FREQUENCY_HZ: u32 = 400_000;
/// Default SPI maximum frequency for devices found by `[discovery]`.
pub const DEFAULT_DISCOVERY_SPI_MAX_FREQUENCY_HZ: u32 = 10_000_000;

/// A parsed and checked board file: which virtual names exist, what is behind each one, the
/// policy for each, and the simulated parts and their wiring.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardFile {
    /// The file it came from (as given to [`BoardFile::load`] or [`BoardFile::parse`]).
    pub path: PathBuf,
    /// `board.name`.
    pub name: String,
    /// `board.description`.
    pub description: Option<String>,
    /// `board.backend`: simulated parts or Linux devices.
    pub backend: Backend,
    /// SPI devices by virtual name (`[spi.NAME]`).
    pub spi: BTreeMap<String, SpiEntry>,
    /// I2C buses by virtual name (`[i2c.NAME]`).
    pub i2c: BTreeMap<String, I2cEntry>,
    /// GPIO lines by virtual name (`[gpio.NAME]`).
    pub gpio: BTreeMap<String, GpioEntry>,
    /// Simulated parts (`[[part]]`), in file order.
    pub parts: Vec<Part>,
    /// `[discovery]` when `enabled = true`: offer every device found under a directory as well.
    pub discovery: Option<Discovery>,
    /// `[config]`: values handed to every guest through `wasi:config/store` (driver settings
    /// such as a panel size or the names a driver opens). Numbers and booleans are kept as
    /// their TOML text.
    pub config: BTreeMap<String, String>,
}

/// What the names of a board are backed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// Simulated parts from `wasi-hal-sim`, in virtual time.
    Simulated,
    /// Linux character devices (`/dev/spidevB.C`, `/dev/i2c-N`, `/dev/gpiochipN`).
    Linux,
}

/// SPI clock polarity and phase, named as in `wasi:spi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpiMode {
    /// CPOL 0, CPHA 0.
    Mode0,
    /// CPOL 0, CPHA 1.
    Mode1,
    /// CPOL 1, CPHA 0.
    Mode2,
    /// CPOL 1, CPHA 1.
    Mode3,
}

impl SpiMode {
    /// All four modes.
    pub const ALL: [SpiMode; 4] = [
        SpiMode::Mode0,
        SpiMode::Mode1,
        SpiMode::Mode2,
        SpiMode::Mode3,
    ];

    /// The mode as embedded-hal spells it.
    pub fn to_embedded_hal(self) -> embedded_hal::spi::Mode {
        match self {
            SpiMode::Mode0 => embedded_hal::spi::MODE_0,
            SpiMode::Mode1 => embedded_hal::spi::MODE_1,
            SpiMode::Mode2 => embedded_hal::spi::MODE_2,
            SpiMode::Mode3 => embedded_hal::spi::MODE_3,
        }
    }
}

/// Bit order within a byte, named as in `wasi:spi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BitOrder {
    /// Most significant bit first.
    MsbFirst,
    /// Least significant bit first.
    LsbFirst,
}

/// What happens when a guest asks for more than `max-frequency-hz`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AboveMax {
    /// Lower the request to the maximum and report the setting in force.
    Clamp,
    /// Refuse the request with `not-permitted`.
    Refuse,
}

/// A logic level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Logic low.
    Low,
    /// Logic high.
    High,
}

impl Level {
    /// `true` for [`Level::High`].
    pub fn is_high(self) -> bool {
        self == Level::High
    }

    /// The other level.
    pub fn opposite(self) -> Level {
        match self {
            Level::Low => Level::High,
            Level::High => Level::Low,
        }
    }
}

/// A direction a GPIO line may be opened in, named as in `wasi:gpio`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinMode {
    /// The guest may read the line.
    Input,
    /// The guest may drive the line.
    Output,
}

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
pub enum SpiBackend {
    /// The simulated part whose `spi` key names this device.
    Simulated,
    /// A Linux spidev node (one bus and chip select), e.g. `/dev/spidev0.0`.
    Linux {
        /// The device node.
        path: PathBuf,
    },
}

/// One `[spi.NAME]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpiEntry {
    /// What is behind the name.
    pub backend: SpiBackend,
    /// What a guest may do with it.
    pub policy: SpiPolicy,
    /// Where the entry is in the file.
    pub location: Location,
}

/// What a guest may do on an I2C bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct I2cPolicy {
    /// `addresses`: the 7-bit addresses a guest may reach (never empty; the general-call address 0
    /// only when listed).
    pub addresses: BTreeSet<u8>,
    /// `max-transfer-bytes`: the most bytes one call may move (never 0).
    pub max_transfer_bytes: u32,
    /// `frequency-hz`: the bus clock. A simulated bus times transfers by it; on Linux the device
    /// tree sets the clock and this value is informational.
    pub frequency_hz: u32,
}

/// What is behind an I2C name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum I2cBackend {
    /// A simulated bus with the parts whose `i2c` key names it.
    Simulated,
    /// A Linux i2c-dev node, e.g. `/dev/i2c-1`.
    Linux {
        /// The device node.
        path: PathBuf,
    },
}

/// One `[i2c.NAME]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct I2cEntry {
    /// What is behind the name.
    pub backend: I2cBackend,
    /// What a guest may do on it.
    pub policy: I2cPolicy,
    /// Where the entry is in the file.
    pub location: Location,
}

/// What a guest may do with a GPIO line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GpioPolicy {
    /// `modes` contains `input`: the guest may open the line as an input.
    pub input: bool,
    /// `modes` contains `output`: the guest may open the line as an output.
    pub output: bool,
    /// `initial`: the level of the line when the board comes up (a Linux output-capable line is
    /// requested as an output at this level; a simulated line starts at it).
    pub initial: Level,
    /// `safe`: the level an output is restored to when the guest drops it, ends or traps.
    pub safe: Level,
}

impl GpioPolicy {
    /// Whether `mode` is allowed.
    pub fn allows(&self, mode: PinMode) -> bool {
        match mode {
            PinMode::Input => self.input,
            PinMode::Output => self.output,
        }
    }
}

/// What is behind a GPIO name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GpioBackend {
    /// A simulated line, possibly wired to a part.
    Simulated,
    /// One line of a Linux GPIO character device.
    Linux {
        /// The chip, e.g. `/dev/gpiochip0`.
        chip: PathBuf,
        /// The line offset on the chip (on a Raspberry Pi's `gpiochip0`, the BCM GPIO number).
        line: u32,
    },
}

/// One `[gpio.NAME]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpioEntry {
    /// What is behind the name.
    pub backend: GpioBackend,
    /// What a guest may do with it.
    pub policy: GpioPolicy,
    /// Where the entry is in the file.
    pub location: Location,
}

/// One simulated part (`[[part]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// `name`: how the host and tests refer to the part (unique among parts).
    pub name: String,
    /// `kind` and the keys of that kind.
    pub kind: PartKind,
    /// Where the `[[part]]` table is in the file.
    pub location: Location,
}

/// The kinds of simulated parts and their settings.
#[derive(Clone, Debug, PartialEq)]
pub enum PartKind {
    /// `kind = "ssd1306"`: a monochrome OLED controller with its panel.
    Ssd1306(Ssd1306Part),
    /// `kind = "bme680"`: a temperature, pressure, humidity and gas sensor.
    Bme680(Bme680Part),
    /// `kind = "led"`: an LED on a line.
    Led(LedPart),
    /// `kind = "button"`: a push button on a line.
    Button(ButtonPart),
}

/// How an SSD1306 is connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ssd1306Interface {
    /// 4-wire SPI: `spi = "NAME"` and `dc = "GPIO"`.
    Spi {
        /// The SPI name it sits on.
        device: String,
        /// The GPIO name wired to its D/C# input.
        dc: String,
    },
    /// I2C: `i2c = "NAME"` and `address` (0x3C or 0x3D).
    I2c {
        /// The I2C name it sits on.
        bus: String,
        /// Its 7-bit address.
        address: u8,
    },
}

/// An SSD1306 part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ssd1306Part {
    /// `panel`: the glass, e.g. `"128x32"`.
    pub panel: Panel,
    /// `spi` + `dc`, or `i2c` + `address`.
    pub interface: Ssd1306Interface,
    /// `res`: the GPIO name wired to RES# (active low), if any.
    pub res: Option<String>,
    /// `vbat`: the GPIO name that switches the panel supply (the Pmod OLED's VBATC, active low),
    /// if any. The model does not simulate power; the line is wired and traced.
    pub vbat: Option<String>,
    /// `vdd`: the GPIO name that switches the logic supply (the Pmod OLED's VDDC, active low), if
    /// any. The model does not simulate power; the line is wired and traced.
    pub vdd: Option<String>,
}

impl Ssd1306Part {
    /// The GPIO names the part reads, with the key each comes from.
    pub fn input_lines(&self) -> Vec<(&'static str, &str)> {
        let mut lines = Vec::new();
        if let Ssd1306Interface::Spi { dc, .. } = &self.interface {
            lines.push(("dc", dc.as_str()));
        }
        for (key, line) in [("res", &self.res), ("vbat", &self.vbat), ("vdd", &self.vdd)] {
            if let Some(line) = line {
                lines.push((key, line.as_str()));
            }
        }
        lines
    }
}

/// The BME680 variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bme680Variant {
    /// BME680 (variant id 0).
    Bme680,
    /// BME688 (variant id 1).
    Bme688,
}

/// The air around a simulated sensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conditions {
    /// `temperature-c`, degrees Celsius (-40 to 85).
    pub temperature_c: f64,
    /// `pressure-pa`, pascal (30000 to 110000).
    pub pressure_pa: f64,
    /// `humidity-percent`, relative humidity (0 to 100).
    pub humidity_percent: f64,
    /// `gas-ohms`, gas sensor resistance (above 0).
    pub gas_ohms: f64,
}

impl Default for Conditions {
    fn default() -> Self {
        Self {
            temperature_c: 25.0,
            pressure_pa: 101_325.0,
            humidity_percent: 40.0,
            gas_ohms: 100_000.0,
        }
    }
}

/// A BME680 part on an I2C bus.
#[derive(Clone, Debug, PartialEq)]
pub struct Bme680Part {
    /// `i2c`: the I2C name it sits on.
    pub bus: String,
    /// `address`: 0x76 (default) or 0x77.
    pub address: u8,
    /// `variant`: `bme680` (default) or `bme688`.
    pub variant: Bme680Variant,
    /// The air it measures at start.
    pub conditions: Conditions,
}

/// An LED on a GPIO line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedPart {
    /// `line`: the GPIO name.
    pub line: String,
    /// `active`: the level that lights it (default high).
    pub active: Level,
}

/// A push button on a GPIO line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ButtonPart {
    /// `line`: the GPIO name.
    pub line: String,
    /// `active`: the level the line has while the button is pressed (default low: a button to
    /// ground with a pull-up). Released, the line has the other level.
    pub active: Level,
}

/// `[discovery]` with `enabled = true`: every spidev, i2c-dev and gpiochip line found under `dev`
/// is offered too, with these policies, under the names `spidevB.C`, `i2c-N` and `gpiochipN-L`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    /// `dev`: the directory to scan (default `/dev`).
    pub dev: PathBuf,
    /// `[discovery.spi]`: the policy of every discovered SPI device.
    pub spi: SpiPolicy,
    /// `[discovery.i2c]`: the policy of every discovered I2C bus.
    pub i2c: I2cPolicy,
    /// `[discovery.gpio]`: the policy of every discovered GPIO line.
    pub gpio: GpioPolicy,
}

impl BoardFile {
    /// Reads and checks the board file at `path`. At most [`MAX_BOARD_FILE_BYTES`] are read: a
    /// longer file is an error.
    pub fn load(path: impl AsRef<Path>) -> Result<BoardFile, BoardError> {
        let path = path.as_ref();
        let io_error = |e: std::io::Error| {
            BoardError::new(
                path,
                ErrorKind::Io,
                format!("cannot read the board file: {e}"),
            )
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| {
                use std::io::Read;
                file.take(MAX_BOARD_FILE_BYTES + 1).read_to_end(&mut bytes)
            })
            .map_err(io_error)?;
        if bytes.len() as u64 > MAX_BOARD_FILE_BYTES {
            return Err(BoardError::new(
                path,
                ErrorKind::Io,
                format!(
                    "the board file is larger than {} KiB, the most a board file may be",
                    MAX_BOARD_FILE_BYTES >> 10
                ),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = Location::of_offset(
                &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                usize::MAX,
            );
            BoardError::new(
                path,
                ErrorKind::Io,
                "the board file is not valid UTF-8 text",
            )
            .at(at)
        })?;
        Self::parse(&text, path)
    }

    /// Checks `text` as the contents of the board file `path` (used in messages only).
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<BoardFile, BoardError> {
        let path = path.as_ref();
        let spans = Spans::parse(text).map_err(|e| syntax_error(&e, text, path))?;
        let raw: RawFile = toml::from_str(text).map_err(|e| serde_error(&e, &spans, path))?;
        Checker { spans, path }.check(raw)
    }

    /// Every virtual name with what it names (`"spi"`, `"i2c"` or `"gpio"`).
    pub fn names(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let spi = self.spi.keys().map(|n| ("spi", n.as_str()));
        let i2c = self.i2c.keys().map(|n| ("i2c", n.as_str()));
        let gpio = self.gpio.keys().map(|n| ("gpio", n.as_str()));
        spi.chain(i2c).chain(gpio)
    }

    /// The part named `name`.
    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }
}

fn syntax_error(e: &toml::de::Error, text: &str, path: &Path) -> BoardError {
    if e.message() == "recursion limit" || e.message().starts_with("cannot recurse further") {
        return too_deep_error(e, text, path);
    }
    let mut err = if e.message().starts_with("duplicate key") {
        let key = e
            .span()
            .and_then(|span| crate::spans::duplicate_key_at(text, span))
            .unwrap_or_default();
        let err = BoardError::new(
            path,
            ErrorKind::DuplicateName,
            "defined twice (each name and key may appear once)",
        );
        if key.is_empty() {
            err
        } else {
            err.with_key(key)
        }
    } else {
        BoardError::new(
            path,
            ErrorKind::Syntax,
            format!("invalid TOML: {}", e.message()),
        )
    };
    if let Some(span) = e.span() {
        err = err.at(Location::of_offset(text, span.start));
    }
    err
}

/// Keys shown of a key path too deep to print whole.
const DEEP_KEY_SHOWN: usize = 4;

/// A table header, dotted key or inline value nested past the TOML parser's recursion limit.
/// For a dotted key or header the parser gives no position: the line with the most dotted
/// segments is the one (the schema never needs more than three).
fn too_deep_error(e: &toml::de::Error, text: &str, path: &Path) -> BoardError {
    let mut err = BoardError::new(
        path,
        ErrorKind::Syntax,
        "nested too deeply: a board file needs at most a few levels of keys, tables and arrays",
    );
    match e.span() {
        Some(span) => err = err.at(Location::of_offset(text, span.start)),
        None => {
            if let Some((offset, key)) = deepest_dotted_key(text) {
                let shown: Vec<&str> = key.split('.').take(DEEP_KEY_SHOWN).collect();
                let depth = key.split('.').count();
                err = BoardError::new(
                    path,
                    ErrorKind::Syntax,
                    format!(
                        "nested too deeply: {depth} dotted keys (a board file needs at most a \
                         few levels)"
                    ),
                )
                .with_key(format!("{}.…", shown.join(".")))
                .at(Location::of_offset(text, offset));
            }
        }
    }
    err
}

/// The table header or dotted key with the most segments: the byte offset of its line's first
/// non-blank character and the key as written (whitespace trimmed). Dots inside quotes do not
/// count; lines inside multi-line strings may be misread, which only matters for the message.
fn deepest_dotted_key(text: &str) -> Option<(usize, &str)> {
    let mut best: Option<(usize, usize, &str)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset + (line.len() - line.trim_start().len());
        offset += line.len();
        let trimmed = line.trim();
        let key = match trimmed.strip_prefix('[') {
            Some(rest) => rest.trim_start_matches('['),
            None => trimmed,
        };
        let (mut dots, mut quote, mut end) = (0, None, key.len());
        for (i, c) in key.char_indices() {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '.') => dots += 1,
                (None, '=' | ']' | '#') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        if dots > best.map_or(0, |(d, _, _)| d) {
            best = Some((dots, start, key[..end].trim()));
        }
    }
    best.map(|(_, offset, key)| (offset, key))
}

fn serde_error(e: &toml::de::Error, spans: &Spans<'_>, path: &Path) -> BoardError {
    let (mut kind, mut message) = translate_serde_message(e.message());
    let mut key = match (e.span(), kind) {
        (Some(span), ErrorKind::UnknownKey) => spans
            .key_path_at(span.start)
            .unwrap_or_else(|| spans.path_at(span.start)),
        (Some(span), ErrorKind::MissingKey) => spans
            .table_path_of(&span)
            .unwrap_or_else(|| spans.path_at(span.start)),
        (Some(span), _) => spans.path_at(span.start),
        (None, _) => Vec::new(),
    };
    if e.message() == "wanted string or table"
        || e.message().starts_with("wanted exactly 1 element")
    {
        // toml's wording for a non-string where a named value (a mode, a level) belongs; a
        // table (`mode = {}`) is read as an enum with its variant as the only key.
        kind = ErrorKind::WrongType;
        let found = spans.type_at(&key).unwrap_or("a value of another type");
        message = format!("expected a string, found {found}");
    }
    let mut location = e.span().map(|s| spans.location(s.start));
    if let Some(missing) = missing_field_name(e.message()) {
        // The span is the table that lacks the key: point at its header (or the file's start).
        location = if key.is_empty() {
            Some(Location { line: 1, column: 1 })
        } else {
            spans.key_location(&key).or(location)
        };
        key.push(Seg::Key(missing.to_owned()));
    }
    let mut err = BoardError::new(path, kind, message);
    if !key.is_empty() {
        err = err.with_key(display_path(&key));
    }
    if let Some(location) = location {
        err = err.at(location);
    }
    err
}

// ---- The file as serde sees it. Everything optional that has a default or depends on the
// ---- backend is an `Option`, so the checker can say which key is missing and where.

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFile {
    board: RawBoardInfo,
    #[serde(default)]
    spi: BTreeMap<String, RawSpi>,
    #[serde(default)]
    i2c: BTreeMap<String, RawI2c>,
    #[serde(default)]
    gpio: BTreeMap<String, RawGpio>,
    #[serde(default)]
    part: Vec<RawPart>,
    discovery: Option<RawDiscovery>,
    #[serde(default)]
    config: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBoardInfo {
    name: String,
    description: Option<String>,
    backend: Backend,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSpi {
    device: Option<String>,
    max_frequency_hz: Option<u32>,
    modes: Option<Vec<SpiMode>>,
    bit_orders: Option<Vec<BitOrder>>,
    configurable: Option<bool>,
    frequency_hz: Option<u32>,
    mode: Option<SpiMode>,
    bit_order: Option<BitOrder>,
    above_max: Option<AboveMax>,
    max_transfer_bytes: Option<u32>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawI2c {
    device: Option<String>,
    addresses: Option<Vec<u8>>,
    max_transfer_bytes: Option<u32>,
    frequency_hz: Option<u32>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGpio {
    chip: Option<String>,
    line: Option<u32>,
    modes: Option<Vec<PinMode>>,
    initial: Option<Level>,
    safe: Option<Level>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawPartKind {
    Ssd1306,
    Bme680,
    Led,
    Button,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPart {
    kind: RawPartKind,
    name: String,
    // ssd1306
    panel: Option<String>,
    spi: Option<String>,
    dc: Option<String>,
    res: Option<String>,
    vbat: Option<String>,
    vdd: Option<String>,
    // ssd1306 and bme680
    i2c: Option<String>,
    address: Option<u8>,
    // bme680
    variant: Option<Bme680Variant>,
    temperature_c: Option<f64>,
    pressure_pa: Option<f64>,
    humidity_percent: Option<f64>,
    gas_ohms: Option<f64>,
    // led and button
    line: Option<String>,
    active: Option<Level>,
}

impl RawPart {
    /// The keys that are set, besides `kind` and `name`.
    fn keys_set(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        let mut set = |key, present: bool| {
            if present {
                keys.push(key);
            }
        };
        set("panel", self.panel.is_some());
        set("spi", self.spi.is_some());
        set("dc", self.dc.is_some());
        set("res", self.res.is_some());
        set("vbat", self.vbat.is_some());
        set("vdd", self.vdd.is_some());
        set("i2c", self.i2c.is_some());
        set("address", self.address.is_some());
        set("variant", self.variant.is_some());
        set("temperature-c", self.temperature_c.is_some());
        set("pressure-pa", self.pressure_pa.is_some());
        set("humidity-percent", self.humidity_percent.is_some());
        set("gas-ohms", self.gas_ohms.is_some());
        set("line", self.line.is_some());
        set("active", self.active.is_some());
        keys
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDiscovery {
    enabled: bool,
    dev: Option<String>,
    spi: Option<RawSpi>,
    i2c: Option<RawI2c>,
    gpio: Option<RawGpio>,
}

// ---- The checks.

struct Checker<'a> {
    spans: Spans<'a>,
    path: &'a Path,
}

/// Where a policy table is: a named entry, or a `[discovery.*]` default.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Named,
    Discovery,
}

impl Checker<'_> {
    /// An error about the value at `at`.
    fn value_error(&self, at: &[Seg], kind: ErrorKind, message: impl Into<String>) -> BoardError {
        let mut err = BoardError::new(self.path, kind, message).with_key(display_path(at));
        if let Some(location) = self.spans.value_location(at) {
            err = err.at(location);
        }
        err
    }

    /// An error about the key at `at` (its name, or its absence).
    fn key_error(&self, at: &[Seg], kind: ErrorKind, message: impl Into<String>) -> BoardError {
        let mut err = BoardError::new(self.path, kind, message).with_key(display_path(at));
        if let Some(location) = self.spans.key_location(at) {
            err = err.at(location);
        }
        err
    }

    fn location(&self, at: &[Seg]) -> Location {
        self.spans.key_location(at).unwrap_or_default()
    }

    fn check(&self, raw: RawFile) -> Result<BoardFile, BoardError> {
        let backend = raw.board.backend;
        if raw.board.name.trim().is_empty() {
            return Err(self.value_error(
                &keys!["board", "name"],
                ErrorKind::InvalidValue,
                "the board name is empty",
            ));
        }

        // Names: valid, and unique across SPI, I2C and GPIO (a name means one thing on a board).
        let mut all_names: Vec<(usize, &str, &str)> = Vec::new();
        for (table, names) in [
            ("spi", raw.spi.keys().collect::<Vec<_>>()),
            ("i2c", raw.i2c.keys().collect()),
            ("gpio", raw.gpio.keys().collect()),
        ] {
            for name in names {
                let at = keys![table, name.as_str()];
                check_name(name).map_err(|m| self.key_error(&at, ErrorKind::InvalidValue, m))?;
                let offset = self.spans.find(&at).key.map_or(0, |r| r.start);
                all_names.push((offset, table, name));
            }
        }
        all_names.sort();
        let mut seen: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        for &(offset, table, name) in &all_names {
            if let Some((first_table, first_offset)) = seen.get(name) {
                let first = self.spans.location(*first_offset);
                return Err(self.key_error(
                    &keys![table, name],
                    ErrorKind::DuplicateName,
                    format!(
                        "the name `{name}` is already defined as `{}` at line {} (names are unique \
                         across spi, i2c and gpio)",
                        display_path(&keys![*first_table, name]),
                        first.line
                    ),
                ));
            }
            seen.insert(name, (table, offset));
        }

        let mut spi = BTreeMap::new();
        let mut spi_paths: BTreeMap<PathBuf, String> = BTreeMap::new();
        for (name, entry) in sorted_by_position(&self.spans, "spi", &raw.spi) {
            let at = keys!["spi", name];
            let backend = match (backend, &entry.device) {
                (Backend::Linux, Some(device)) => {
                    let device_path = self.device_path(&at, device)?;
                    if let Some(other) = spi_paths.get(&device_path) {
                        return Err(self.value_error(
                            &keys!["spi", name, "device"],
                            ErrorKind::DuplicateDevice,
                            format!(
                                "`{device}` (one bus and chip select) is already mapped as \
                                 `{}`",
                                display_path(&keys!["spi", other.as_str()])
                            ),
                        ));
                    }
                    spi_paths.insert(device_path.clone(), name.to_owned());
                    SpiBackend::Linux { path: device_path }
                }
                (Backend::Linux, None) => {
                    return Err(self.key_error(
                        &keys!["spi", name, "device"],
                        ErrorKind::MissingKey,
                        "missing required key: a linux board maps each SPI name to a spidev \
                         node, e.g. device = \"/dev/spidev0.0\"",
                    ));
                }
                (Backend::Simulated, Some(_)) => {
                    return Err(self.key_error(
                        &keys!["spi", name, "device"],
                        ErrorKind::InvalidValue,
                        "a simulated board has no device nodes: the part whose `spi` key names \
                         this device is behind it",
                    ));
                }
                (Backend::Simulated, None) => SpiBackend::Simulated,
            };
            let policy = self.spi_policy(&at, entry, Context::Named)?;
            spi.insert(
                name.to_owned(),
                SpiEntry {
                    backend,
                    policy,
                    location: self.location(&at),
                },
            );
        }

        let mut i2c = BTreeMap::new();
        let mut i2c_paths: BTreeMap<PathBuf, String> = BTreeMap::new();
        for (name, entry) in sorted_by_position(&self.spans, "i2c", &raw.i2c) {
            let at = keys!["i2c", name];
            let backend = match (backend, &entry.device) {
                (Backend::Linux, Some(device)) => {
                    let device_path = self.device_path(&at, device)?;
                    if let Some(other) = i2c_paths.get(&device_path) {
                        return Err(self.value_error(
                            &keys!["i2c", name, "device"],
                            ErrorKind::DuplicateDevice,
                            format!(
                                "`{device}` is already mapped as `{}` (to share a bus, list \
                                 every address under one name)",
                                display_path(&keys!["i2c", other.as_str()])
                            ),
                        ));
                    }
                    i2c_paths.insert(device_path.clone(), name.to_owned());
                    I2cBackend::Linux { path: device_path }
                }
                (Backend::Linux, None) => {
                    return Err(self.key_error(
                        &keys!["i2c", name, "device"],
                        ErrorKind::MissingKey,
                        "missing required key: a linux board maps each I2C name to an i2c-dev \
                         node, e.g. device = \"/dev/i2c-1\"",
                    ));
                }
                (Backend::Simulated, Some(_)) => {
                    return Err(self.key_error(
                        &keys!["i2c", name, "device"],
                        ErrorKind::InvalidValue,
                        "a simulated board has no device nodes: the parts whose `i2c` key names \
                         this bus sit on it",
                    ));
                }
                (Backend::Simulated, None) => I2cBackend::Simulated,
            };
            let policy = self.i2c_policy(&at, entry, Context::Named)?;
            i2c.insert(
                name.to_owned(),
                I2cEntry {
                    backend,
                    policy,
                    location: self.location(&at),
                },
            );
        }

        let mut gpio = BTreeMap::new();
        let mut gpio_lines: BTreeMap<(PathBuf, u32), String> = BTreeMap::new();
        for (name, entry) in sorted_by_position(&self.spans, "gpio", &raw.gpio) {
            let at = keys!["gpio", name];
            let backend = match (backend, &entry.chip, entry.line) {
                (Backend::Linux, Some(chip), Some(line)) => {
                    let chip_path = self.device_path(&at, chip)?;
                    let key = (chip_path.clone(), line);
                    if let Some(other) = gpio_lines.get(&key) {
                        return Err(self.value_error(
                            &keys!["gpio", name, "line"],
                            ErrorKind::DuplicateDevice,
                            format!(
                                "line {line} of `{chip}` is already mapped as `{}`",
                                display_path(&keys!["gpio", other.as_str()])
                            ),
                        ));
                    }
                    gpio_lines.insert(key, name.to_owned());
                    GpioBackend::Linux {
                        chip: chip_path,
                        line,
                    }
                }
                (Backend::Linux, chip, _) => {
                    let missing = if chip.is_none() { "chip" } else { "line" };
                    return Err(self.key_error(
                        &keys!["gpio", name, missing],
                        ErrorKind::MissingKey,
                        "missing required key: a linux board maps each GPIO name to a chip and \
                         line, e.g. chip = \"/dev/gpiochip0\" and line = 17",
                    ));
                }
                (Backend::Simulated, chip, line) => {
                    if chip.is_some() || line.is_some() {
                        let key = if chip.is_some() { "chip" } else { "line" };
                        return Err(self.key_error(
                            &keys!["gpio", name, key],
                            ErrorKind::InvalidValue,
                            "a simulated board has no GPIO chips: each name is a simulated line",
                        ));
                    }
                    GpioBackend::Simulated
                }
            };
            let policy = self.gpio_policy(&at, entry, Context::Named)?;
            gpio.insert(
                name.to_owned(),
                GpioEntry {
                    backend,
                    policy,
                    location: self.location(&at),
                },
            );
        }

        let parts = self.parts(backend, &raw.part, &spi, &i2c, &gpio)?;
        // A button holds its line at the released level, and nothing else may drive it.
        for (index, part) in parts.iter().enumerate() {
            let PartKind::Button(button) = &part.kind else {
                continue;
            };
            let released = button.active.opposite();
            let (Some(entry), Some(raw_line)) =
                (gpio.get_mut(&button.line), raw.gpio.get(&button.line))
            else {
                continue;
            };
            if entry.policy.output {
                return Err(self.value_error(
                    &keys!["part", index, "line"],
                    ErrorKind::Wiring,
                    format!(
                        "GPIO `{}` has a button on it, so a guest must not drive it: set its \
                         modes = [\"input\"]",
                        button.line
                    ),
                ));
            }
            match raw_line.initial {
                Some(level) if level != released => {
                    return Err(self.value_error(
                        &keys!["gpio", button.line.as_str(), "initial"],
                        ErrorKind::Wiring,
                        format!(
                            "button `{}` holds this line {} while released",
                            part.name,
                            kebab(&released)
                        ),
                    ));
                }
                _ => {
                    entry.policy.initial = released;
                    if raw_line.safe.is_none() {
                        entry.policy.safe = released;
                    }
                }
            }
        }

        let discovery = match &raw.discovery {
            Some(d) if d.enabled => {
                if backend != Backend::Linux {
                    return Err(self.value_error(
                        &keys!["discovery", "enabled"],
                        ErrorKind::InvalidValue,
                        "discovery scans Linux device nodes: it needs board.backend = \"linux\"",
                    ));
                }
                Some(self.discovery(d)?)
            }
            Some(d) => {
                // Disabled: still check it, so a typo does not wait for the day it is enabled.
                self.discovery(d)?;
                None
            }
            None => None,
        };

        let mut config = BTreeMap::new();
        for (key, value) in &raw.config {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err(self.value_error(
                        &keys!["config", key.as_str()],
                        ErrorKind::WrongType,
                        "a config value is a string, a number or a boolean",
                    ));
                }
            };
            config.insert(key.clone(), text);
        }

        Ok(BoardFile {
            path: self.path.to_owned(),
            name: raw.board.name.clone(),
            description: raw.board.description.clone(),
            backend,
            spi,
            i2c,
            gpio,
            parts,
            discovery,
            config,
        })
    }

    fn device_path(&self, at: &[Seg], device: &str) -> Result<PathBuf, BoardError> {
        let key = if at.first() == Some(&Seg::Key("gpio".into())) {
            "chip"
        } else {
            "device"
        };
        let mut key_path = at.to_vec();
        key_path.push(Seg::Key(key.into()));
        let path = Path::new(device);
        if !path.is_absolute() {
            return Err(self.value_error(
                &key_path,
                ErrorKind::InvalidValue,
                format!("`{device}` is not an absolute path (e.g. /dev/spidev0.0)"),
            ));
        }
        // Compare paths component by component, so `/dev//spidev0.0` is `/dev/spidev0.0`.
        Ok(path.components().collect())
    }

    fn spi_policy(
        &self,
        at: &[Seg],
        raw: &RawSpi,
        context: Context,
    ) -> Result<SpiPolicy, BoardError> {
        let key = |k: &str| {
            let mut p = at.to_vec();
            p.push(Seg::Key(k.into()));
            p
        };
        let max_frequency_hz = match (raw.max_frequency_hz, context) {
            (Some(hz), _) => hz,
            (None, Context::Discovery) => DEFAULT_DISCOVERY_SPI_MAX_FREQUENCY_HZ,
            (None, Context::Named) => {
                return Err(self.key_error(
                    &key("max-frequency-hz"),
                    ErrorKind::MissingKey,
                    "missing required key: the highest SCLK frequency a guest may use, in hertz",
                ));
            }
        };
        if max_frequency_hz == 0 {
            return Err(self.value_error(
                &key("max-frequency-hz"),
                ErrorKind::ImpossiblePolicy,
                "a maximum frequency of 0 Hz allows no transfer at all",
            ));
        }
        let modes = match (&raw.modes, raw.mode, context) {
            (Some(modes), _, _) => sorted_unique(modes),
            (None, Some(mode), Context::Named) => vec![mode],
            (None, None, Context::Named) => vec![SpiMode::Mode0],
            (None, _, Context::Discovery) => SpiMode::ALL.to_vec(),
        };
        if modes.is_empty() {
            return Err(self.value_error(
                &key("modes"),
                ErrorKind::ImpossiblePolicy,
                "no allowed modes: list at least one of \"mode0\", \"mode1\", \"mode2\", \"mode3\"",
            ));
        }
        let bit_orders = match (&raw.bit_orders, raw.bit_order) {
            (Some(orders), _) => sorted_unique(orders),
            (None, Some(order)) => sorted_unique(&[BitOrder::MsbFirst, order]),
            (None, None) => vec![BitOrder::MsbFirst],
        };
        if bit_orders.is_empty() {
            return Err(self.value_error(
                &key("bit-orders"),
                ErrorKind::ImpossiblePolicy,
                "no allowed bit orders: list \"msb-first\", \"lsb-first\" or both",
            ));
        }
        if !bit_orders.contains(&BitOrder::MsbFirst) {
            return Err(self.value_error(
                &key("bit-orders"),
                ErrorKind::InvalidValue,
                "`msb-first` is always allowed (wasi-hal-spi cannot forbid it): list it",
            ));
        }
        let mode = raw.mode.unwrap_or(modes[0]);
        if !modes.contains(&mode) {
            return Err(self.value_error(
                &key("mode"),
                ErrorKind::ImpossiblePolicy,
                format!(
                    "the board's mode `{}` is not one of the allowed `modes`",
                    kebab(&mode)
                ),
            ));
        }
        let bit_order = raw.bit_order.unwrap_or(bit_orders[0]);
        if !bit_orders.contains(&bit_order) {
            return Err(self.value_error(
                &key("bit-order"),
                ErrorKind::ImpossiblePolicy,
                format!(
                    "the board's bit order `{}` is not one of the allowed `bit-orders`",
                    kebab(&bit_order)
                ),
            ));
        }
        let frequency_hz = raw.frequency_hz.unwrap_or(max_frequency_hz);
        if frequency_hz == 0 {
            return Err(self.value_error(
                &key("frequency-hz"),
                ErrorKind::ImpossiblePolicy,
                "a frequency of 0 Hz moves no data",
            ));
        }
        if frequency_hz > max_frequency_hz {
            return Err(self.value_error(
                &key("frequency-hz"),
                ErrorKind::ImpossiblePolicy,
                format!(
                    "the board's frequency {frequency_hz} Hz is above max-frequency-hz \
                     ({max_frequency_hz} Hz)"
                ),
            ));
        }
        let max_transfer_bytes =
            self.max_transfer(&key("max-transfer-bytes"), raw.max_transfer_bytes)?;
        if context == Context::Discovery && raw.device.is_some() {
            return Err(self.key_error(
                &key("device"),
                ErrorKind::UnknownKey,
                "discovered devices take their node from the scan: remove `device`",
            ));
        }
        Ok(SpiPolicy {
            max_frequency_hz,
            modes,
            bit_orders,
            configurable: raw.configurable.unwrap_or(context == Context::Discovery),
            settings: SpiSettings {
                frequency_hz,
                mode,
                bit_order,
            },
            above_max: raw.above_max.unwrap_or(AboveMax::Clamp),
            max_transfer_bytes,
        })
    }

    fn max_transfer(&self, at: &[Seg], value: Option<u32>) -> Result<u32, BoardError> {
        match value {
            Some(0) => Err(self.value_error(
                at,
                ErrorKind::ImpossiblePolicy,
                "a transfer limit of 0 bytes allows no transfer at all",
            )),
            Some(n) if n > MAX_TRANSFER_BYTES_LIMIT => Err(self.value_error(
                at,
                ErrorKind::InvalidValue,
                format!(
                    "{n} bytes is above the host's limit of {MAX_TRANSFER_BYTES_LIMIT} bytes \
                     (16 MiB): the host allocates a call's buffers before the guest receives them"
                ),
            )),
            Some(n) => Ok(n),
            None => Ok(DEFAULT_MAX_TRANSFER_BYTES),
        }
    }

    fn i2c_policy(
        &self,
        at: &[Seg],
        raw: &RawI2c,
        context: Context,
    ) -> Result<I2cPolicy, BoardError> {
        let key = |k: &str| {
            let mut p = at.to_vec();
            p.push(Seg::Key(k.into()));
            p
        };
        let addresses: BTreeSet<u8> = match (&raw.addresses, context) {
            (Some(list), _) => {
                for (i, &address) in list.iter().enumerate() {
                    if address > 0x7F {
                        let mut p = key("addresses");
                        p.push(Seg::Index(i));
                        return Err(self.value_error(
                            &p,
                            ErrorKind::InvalidValue,
                            format!("{address:#04x} is not a 7-bit address (0x00 to 0x7f)"),
                        ));
                    }
                }
                list.iter().copied().collect()
            }
            // Every address a target may use: not general call (0), not the reserved 0x01..=0x07
            // or 0x78..=0x7f.
            (None, Context::Discovery) => (0x08..=0x77).collect(),
            (None, Context::Named) => {
                return Err(self.key_error(
                    &key("addresses"),
                    ErrorKind::MissingKey,
                    "missing required key: the 7-bit addresses a guest may reach, e.g. \
                     addresses = [0x3c]",
                ));
            }
        };
        if addresses.is_empty() {
            return Err(self.value_error(
                &key("addresses"),
                ErrorKind::ImpossiblePolicy,
                "no allowed addresses: a guest could reach nothing on this bus",
            ));
        }
        let max_transfer_bytes =
            self.max_transfer(&key("max-transfer-bytes"), raw.max_transfer_bytes)?;
        let frequency_hz = raw.frequency_hz.unwrap_or(DEFAULT_I2C_FREQUENCY_HZ);
        if frequency_hz == 0 {
            return Err(self.value_error(
                &key("frequency-hz"),
                ErrorKind::ImpossiblePolicy,
                "a bus clock of 0 Hz moves no data",
            ));
        }
        if context == Context::Discovery && raw.device.is_some() {
            return Err(self.key_error(
                &key("device"),
                ErrorKind::UnknownKey,
                "discovered buses take their node from the scan: remove `device`",
            ));
        }
        Ok(I2cPolicy {
            addresses,
            max_transfer_bytes,
            frequency_hz,
        })
    }

    fn gpio_policy(
        &self,
        at: &[Seg],
        raw: &RawGpio,
        context: Context,
    ) -> Result<GpioPolicy, BoardError> {
        let key = |k: &str| {
            let mut p = at.to_vec();
            p.push(Seg::Key(k.into()));
            p
        };
        let modes = match (&raw.modes, context) {
            (Some(modes), _) => modes.clone(),
            (None, Context::Discovery) => vec![PinMode::Input, PinMode::Output],
            (None, Context::Named) => {
                return Err(self.key_error(
                    &key("modes"),
                    ErrorKind::MissingKey,
                    "missing required key: the directions a guest may open the line in, e.g. \
                     modes = [\"output\"]",
                ));
            }
        };
        if modes.is_empty() {
            return Err(self.value_error(
                &key("modes"),
                ErrorKind::ImpossiblePolicy,
                "no allowed modes: list \"input\", \"output\" or both",
            ));
        }
        if context == Context::Discovery && (raw.chip.is_some() || raw.line.is_some()) {
            let k = if raw.chip.is_some() { "chip" } else { "line" };
            return Err(self.key_error(
                &key(k),
                ErrorKind::UnknownKey,
                "discovered lines take their chip and line from the scan",
            ));
        }
        let initial = raw.initial.unwrap_or(Level::Low);
        Ok(GpioPolicy {
            input: modes.contains(&PinMode::Input),
            output: modes.contains(&PinMode::Output),
            initial,
            safe: raw.safe.unwrap_or(initial),
        })
    }

    fn discovery(&self, raw: &RawDiscovery) -> Result<Discovery, BoardError> {
        let dev = PathBuf::from(raw.dev.as_deref().unwrap_or("/dev"));
        if !dev.is_absolute() {
            return Err(self.value_error(
                &keys!["discovery", "dev"],
                ErrorKind::InvalidValue,
                "the directory to scan must be an absolute path",
            ));
        }
        Ok(Discovery {
            dev,
            spi: self.spi_policy(
                &keys!["discovery", "spi"],
                raw.spi.as_ref().unwrap_or(&RawSpi::default()),
                Context::Discovery,
            )?,
            i2c: self.i2c_policy(
                &keys!["discovery", "i2c"],
                raw.i2c.as_ref().unwrap_or(&RawI2c::default()),
                Context::Discovery,
            )?,
            gpio: self.gpio_policy(
                &keys!["discovery", "gpio"],
                raw.gpio.as_ref().unwrap_or(&RawGpio::default()),
                Context::Discovery,
            )?,
        })
    }

    fn parts(
        &self,
        backend: Backend,
        raw: &[RawPart],
        spi: &BTreeMap<String, SpiEntry>,
        i2c: &BTreeMap<String, I2cEntry>,
        gpio: &BTreeMap<String, GpioEntry>,
    ) -> Result<Vec<Part>, BoardError> {
        if backend == Backend::Linux && !raw.is_empty() {
            return Err(self.key_error(
                &keys!["part", 0, "kind"],
                ErrorKind::InvalidValue,
                "parts are simulated models: a linux board's parts are real hardware (describe \
                 their wiring in comments)",
            ));
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut wiring = Wiring::default();
        for (index, part) in raw.iter().enumerate() {
            let at = |k: &str| keys!["part", index, k];
            check_name(&part.name)
                .map_err(|m| self.value_error(&at("name"), ErrorKind::InvalidValue, m))?;
            if let Some(first) = parts.iter().find(|p| p.name == part.name) {
                return Err(self.value_error(
                    &at("name"),
                    ErrorKind::DuplicateName,
                    format!(
                        "a part named `{}` is already defined at line {}",
                        part.name, first.location.line
                    ),
                ));
            }
            let allowed: &[&str] = match part.kind {
                RawPartKind::Ssd1306 => {
                    &["panel", "spi", "dc", "res", "vbat", "vdd", "i2c", "address"]
                }
                RawPartKind::Bme680 => &[
                    "i2c",
                    "address",
                    "variant",
                    "temperature-c",
                    "pressure-pa",
                    "humidity-percent",
                    "gas-ohms",
                ],
                RawPartKind::Led | RawPartKind::Button => &["line", "active"],
            };
            for key in part.keys_set() {
                if !allowed.contains(&key) {
                    return Err(self.key_error(
                        &at(key),
                        ErrorKind::UnknownKey,
                        format!(
                            "unknown key for a `{}` part (known keys: kind, name, {})",
                            kebab(&part.kind),
                            allowed.join(", ")
                        ),
                    ));
                }
            }
            let kind = match part.kind {
                RawPartKind::Ssd1306 => {
                    PartKind::Ssd1306(self.ssd1306(index, part, spi, i2c, gpio, &mut wiring)?)
                }
                RawPartKind::Bme680 => {
                    PartKind::Bme680(self.bme680(index, part, i2c, &mut wiring)?)
                }
                RawPartKind::Led | RawPartKind::Button => {
                    let Some(line) = &part.line else {
                        return Err(self.key_error(
                            &at("line"),
                            ErrorKind::MissingKey,
                            "missing required key: the GPIO name it is on, e.g. line = \"led0\"",
                        ));
                    };
                    if part.kind == RawPartKind::Led {
                        self.line_ref(
                            index,
                            part,
                            "line",
                            line,
                            PinMode::Output,
                            gpio,
                            &mut wiring,
                        )?;
                        PartKind::Led(LedPart {
                            line: line.clone(),
                            active: part.active.unwrap_or(Level::High),
                        })
                    } else {
                        self.line_ref(
                            index,
                            part,
                            "line",
                            line,
                            PinMode::Input,
                            gpio,
                            &mut wiring,
                        )?;
                        PartKind::Button(ButtonPart {
                            line: line.clone(),
                            active: part.active.unwrap_or(Level::Low),
                        })
                    }
                }
            };
            parts.push(Part {
                name: part.name.clone(),
                kind,
                location: self
                    .spans
                    .value_location(&keys!["part", index])
                    .unwrap_or_default(),
            });
        }
        Ok(parts)
    }

    /// A part's reference to a GPIO name: defined, in the direction the part needs, and used by
    /// one part only.
    #[allow(clippy::too_many_arguments)]
    fn line_ref<'r>(
        &self,
        index: usize,
        part: &'r RawPart,
        key: &'static str,
        line: &'r str,
        needs: PinMode,
        gpio: &BTreeMap<String, GpioEntry>,
        wiring: &mut Wiring<'r>,
    ) -> Result<(), BoardError> {
        let at = keys!["part", index, key];
        let Some(entry) = gpio.get(line) else {
            return Err(self.value_error(
                &at,
                ErrorKind::UndefinedName,
                format!("no GPIO named `{line}` is defined (add a [gpio.{line}] table)"),
            ));
        };
        if !entry.policy.allows(needs) {
            let why = match needs {
                PinMode::Output => "the part reads this line, so a guest must drive it",
                PinMode::Input => "the part drives this line, so a guest must read it",
            };
            return Err(self.value_error(
                &at,
                ErrorKind::Wiring,
                format!("GPIO `{line}` must allow mode \"{}\": {why}", kebab(&needs)),
            ));
        }
        if let Some((other, other_key)) = wiring.lines.get(line) {
            return Err(self.value_error(
                &at,
                ErrorKind::Wiring,
                format!("GPIO `{line}` is already wired to part `{other}` ({other_key})"),
            ));
        }
        wiring.lines.insert(line, (&part.name, key));
        Ok(())
    }

    /// A part's place on an I2C bus: the bus is defined and nobody else is at the address.
    fn i2c_ref<'r>(
        &self,
        index: usize,
        part: &'r RawPart,
        bus: &'r str,
        address: u8,
        i2c: &BTreeMap<String, I2cEntry>,
        wiring: &mut Wiring<'r>,
    ) -> Result<(), BoardError> {
        if !i2c.contains_key(bus) {
            return Err(self.value_error(
                &keys!["part", index, "i2c"],
                ErrorKind::UndefinedName,
                format!("no I2C bus named `{bus}` is defined (add an [i2c.{bus}] table)"),
            ));
        }
        if let Some(other) = wiring.addresses.get(&(bus, address)) {
            let at = if part.address.is_some() {
                "address"
            } else {
                "i2c"
            };
            return Err(self.value_error(
                &keys!["part", index, at],
                ErrorKind::Wiring,
                format!("part `{other}` already answers at {address:#04x} on I2C bus `{bus}`"),
            ));
        }
        wiring.addresses.insert((bus, address), &part.name);
        Ok(())
    }

    fn ssd1306<'r>(
        &self,
        index: usize,
        part: &'r RawPart,
        spi: &BTreeMap<String, SpiEntry>,
        i2c: &BTreeMap<String, I2cEntry>,
        gpio: &BTreeMap<String, GpioEntry>,
        wiring: &mut Wiring<'r>,
    ) -> Result<Ssd1306Part, BoardError> {
        let at = |k: &str| keys!["part", index, k];
        let panel = match &part.panel {
            Some(text) => parse_panel(text).ok_or_else(|| {
                self.value_error(
                    &at("panel"),
                    ErrorKind::InvalidValue,
                    format!(
                        "unknown panel `{text}`, expected one of {}",
                        Panel::ALL
                            .iter()
                            .map(|p| format!("\"{}x{}\"", p.width(), p.height()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?,
            None => {
                return Err(self.key_error(
                    &at("panel"),
                    ErrorKind::MissingKey,
                    "missing required key: the panel size, e.g. panel = \"128x64\"",
                ));
            }
        };
        let interface = match (&part.spi, &part.i2c) {
            (Some(_), Some(_)) => {
                return Err(self.key_error(
                    &at("i2c"),
                    ErrorKind::Wiring,
                    "an SSD1306 sits on SPI or on I2C, not both",
                ));
            }
            (None, None) => {
                return Err(self.key_error(
                    &at("spi"),
                    ErrorKind::MissingKey,
                    "missing required key: `spi` (with `dc`) or `i2c` (with `address`)",
                ));
            }
            (Some(device), None) => {
                if !spi.contains_key(device) {
                    return Err(self.value_error(
                        &at("spi"),
                        ErrorKind::UndefinedName,
                        format!(
                            "no SPI device named `{device}` is defined (add a [spi.{device}] \
                             table)"
                        ),
                    ));
                }
                if let Some(other) = wiring.spi.get(device.as_str()) {
                    return Err(self.value_error(
                        &at("spi"),
                        ErrorKind::Wiring,
                        format!(
                            "SPI device `{device}` (one chip select) already has part `{other}` \
                             behind it"
                        ),
                    ));
                }
                if part.address.is_some() {
                    return Err(self.key_error(
                        &at("address"),
                        ErrorKind::UnknownKey,
                        "`address` is for an SSD1306 on I2C; on SPI the chip select picks the \
                         part",
                    ));
                }
                let Some(dc) = &part.dc else {
                    return Err(self.key_error(
                        &at("dc"),
                        ErrorKind::MissingKey,
                        "missing required key: on SPI an SSD1306 needs its D/C# line, e.g. dc = \
                         \"oled-dc\"",
                    ));
                };
                wiring.spi.insert(device, &part.name);
                self.line_ref(index, part, "dc", dc, PinMode::Output, gpio, wiring)?;
                Ssd1306Interface::Spi {
                    device: device.clone(),
                    dc: dc.clone(),
                }
            }
            (None, Some(bus)) => {
                if part.dc.is_some() {
                    return Err(self.key_error(
                        &at("dc"),
                        ErrorKind::UnknownKey,
                        "`dc` is for an SSD1306 on SPI; on I2C the control byte selects command \
                         or data",
                    ));
                }
                let address = part.address.unwrap_or(0x3C);
                if address != 0x3C && address != 0x3D {
                    return Err(self.value_error(
                        &at("address"),
                        ErrorKind::InvalidValue,
                        format!("an SSD1306 answers at 0x3c or 0x3d, not {address:#04x}"),
                    ));
                }
                self.i2c_ref(index, part, bus, address, i2c, wiring)?;
                Ssd1306Interface::I2c {
                    bus: bus.clone(),
                    address,
                }
            }
        };
        for (key, line) in [("res", &part.res), ("vbat", &part.vbat), ("vdd", &part.vdd)] {
            if let Some(line) = line {
                self.line_ref(index, part, key, line, PinMode::Output, gpio, wiring)?;
            }
        }
        Ok(Ssd1306Part {
            panel,
            interface,
            res: part.res.clone(),
            vbat: part.vbat.clone(),
            vdd: part.vdd.clone(),
        })
    }

    fn bme680<'r>(
        &self,
        index: usize,
        part: &'r RawPart,
        i2c: &BTreeMap<String, I2cEntry>,
        wiring: &mut Wiring<'r>,
    ) -> Result<Bme680Part, BoardError> {
        let at = |k: &str| keys!["part", index, k];
        let Some(bus) = &part.i2c else {
            return Err(self.key_error(
                &at("i2c"),
                ErrorKind::MissingKey,
                "missing required key: the I2C bus the sensor sits on, e.g. i2c = \"i2c0\"",
            ));
        };
        let address = part.address.unwrap_or(0x76);
        if address != 0x76 && address != 0x77 {
            return Err(self.value_error(
                &at("address"),
                ErrorKind::InvalidValue,
                format!("a BME680 answers at 0x76 or 0x77, not {address:#04x}"),
            ));
        }
        self.i2c_ref(index, part, bus, address, i2c, wiring)?;
        let mut conditions = Conditions::default();
        let checks: [(&str, Option<f64>, &mut f64, f64, f64); 4] = [
            (
                "temperature-c",
                part.temperature_c,
                &mut conditions.temperature_c,
                -40.0,
                85.0,
            ),
            (
                "pressure-pa",
                part.pressure_pa,
                &mut conditions.pressure_pa,
                30_000.0,
                110_000.0,
            ),
            (
                "humidity-percent",
                part.humidity_percent,
                &mut conditions.humidity_percent,
                0.0,
                100.0,
            ),
            (
                "gas-ohms",
                part.gas_ohms,
                &mut conditions.gas_ohms,
                1.0,
                1.0e9,
            ),
        ];
        for (key, value, target, min, max) in checks {
            if let Some(value) = value {
                if !(min..=max).contains(&value) {
                    return Err(self.value_error(
                        &at(key),
                        ErrorKind::InvalidValue,
                        format!("{value} is outside the sensor's operating range ({min} to {max})"),
                    ));
                }
                *target = value;
            }
        }
        Ok(Bme680Part {
            bus: bus.clone(),
            address,
            variant: part.variant.unwrap_or(Bme680Variant::Bme680),
            conditions,
        })
    }
}

/// Who uses what, to catch two parts on one chip select, one address or one line.
#[derive(Default)]
struct Wiring<'r> {
    spi: BTreeMap<&'r str, &'r str>,
    addresses: BTreeMap<(&'r str, u8), &'r str>,
    lines: BTreeMap<&'r str, (&'r str, &'static str)>,
}

/// A virtual or part name: 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err("a name has 1 to 64 characters".to_owned());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "the name `{name}` has the character {c:?}; names use A-Z, a-z, 0-9, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// `"128x32"` to a panel.
pub(crate) fn parse_panel(text: &str) -> Option<Panel> {
    let (w, h) = text.trim().split_once(['x', 'X'])?;
    let (w, h): (u32, u32) = (w.parse().ok()?, h.parse().ok()?);
    Panel::ALL
        .into_iter()
        .find(|p| p.width() == w && p.height() == h)
}

fn sorted_unique<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let set: BTreeSet<T> = items.iter().copied().collect();
    set.into_iter().collect()
}

/// A schema enum value as the file spells it.
fn kebab<T: std::fmt::Debug>(value: &T) -> String {
    let debug = format!("{value:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with(|p: char| p.is_ascii_digit()) {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The entries of one table in the order they appear in the file (so the first of two clashing
/// entries is the one named in the message).
fn sorted_by_position<'m, T>(
    spans: &Spans<'_>,
    table: &str,
    map: &'m BTreeMap<String, T>,
) -> Vec<(&'m str, &'m T)> {
    let mut entries: Vec<(usize, &str, &T)> = map
        .iter()
        .map(|(name, entry)| {
            let offset = spans
                .find(&keys![table, name.as_str()])
                .key
                .map_or(usize::MAX, |r| r.start);
            (offset, name.as_str(), entry)
        })
        .collect();
    entries.sort_by_key(|(offset, name, _)| (*offset, *name));
    entries.into_iter().map(|(_, n, e)| (n, e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_spells_schema_values() {
        assert_eq!(kebab(&SpiMode::Mode3), "mode3");
        assert_eq!(kebab(&BitOrder::MsbFirst), "msb-first");
        assert_eq!(kebab(&PinMode::Output), "output");
    }

    #[test]
    fn panels_parse_from_width_x_height() {
        assert_eq!(parse_panel("128x32"), Some(Panel::W128H32));
        assert_eq!(parse_panel("64x48"), Some(Panel::W64H48));
        assert_eq!(parse_panel("100x10"), None);
        assert_eq!(parse_panel("wide"), None);
    }
}
