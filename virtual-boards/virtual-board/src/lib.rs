//! The runtime of virtual-board components.
//!
//! A virtual board is the host-side simulated board (`host/sim`, the same model code, compiled
//! for `wasm32-wasip2`) turned into a component: it *exports* `wasi:spi`, `wasi:i2c`,
//! `wasi:gpio`, `wasi:pwm`, `wasi:delay` and `wasi:config/store` to the drivers and apps
//! composed onto it, `sensor:environment` (the board's host-read sensor, as `wasi-hal run`
//! serves it) to the apps, and `wasi-hal:inspect/board` to whoever runs the composition. An app + driver + virtual
//! board composition imports nothing but WASI 0.2, so it runs on any host that offers plain
//! WASI: `wasmtime run`, a Wasmtime embedding with only `wasmtime-wasi`, Node.js or a browser
//! through jco.
//!
//! Each board is a small `cdylib` crate in `virtual-boards/` that describes its wiring with a
//! [`BoardSpec`] (the same names and parts as its `boards/sim-*.toml` file) and calls
//! [`export_board!`].
//!
//! # Behaviour, as on the host-side simulated board
//! - **Time** is the board's [`SimClock`](wasi_hal_sim::SimClock): a delay advances it at
//!   once, SPI and I2C transfers by their wire time; nothing sleeps and nothing reads a wall
//!   clock, so a run is deterministic.
//! - **Policy** is the board file's, enforced by the same rules as on the host
//!   (`wasi-hal-policy`): SPI modes, maximum frequency (clamped or refused), transfer caps, I2C
//!   address lists, GPIO directions, initial and safe levels (an output goes back to its safe
//!   level when its handle is dropped).
//! - **One guest.** A host gives one composition one context, so the drivers and the app of a
//!   composition are one guest to it; here they are one guest too: a device or bus may be
//!   opened again, a GPIO line is held by one handle at a time (a
//!   [`GuestHold`](wasi_hal_policy::GuestHold) under the host's rules).
//!
//! # Frames out
//! At every `wasi:delay` call (a frame boundary for an app that paces itself: the host's
//! `wasi-hal run` samples its displays at the same points) the board looks at each display.
//! It writes the image to stdout when it is the display's first sample, or when the glass is
//! lit and shows something other than the last image written. The last image written for a
//! display is therefore exactly the screenshot `wasi-hal run --screenshot` saves (the last
//! sample taken while lit). See [`frames`] for the format and `WASI_HAL_FRAMES`.
//!
//! A display is anything that shows a picture, as on the host-side board: an SSD1306, a colour
//! SSD1331 (its RGB565 pixels written as RGB), or an LED strip (its decoded colours as a row of
//! 8x8 blocks, always lit).
//!
//! # Sounds and warnings out (stderr)
//! - Each tone a buzzer played (active on a line, or passive on a PWM channel) as it ends:
//!   `wasi-hal-tone buzzer=<name> start-ns=<ns> duration-ns=<ns> frequency-hz=<hz>`.
//! - Each datasheet violation an LED strip saw on its data line (a wrong SPI clock, a wrong
//!   encoding), at the frame boundary after it:
//!   `wasi-hal-strip-warning strip=<name> time-ns=<ns> kind=<kind> <message>`.

pub mod board;
mod exports;
pub mod frames;

pub use board::VirtualBoard;
pub use exports::Component;
/// The board's policy types, from the crate every host shares them with.
pub use wasi_hal_policy::{
    AboveMaximum, AllowedAddresses, I2cPolicy, Level, PinModes, PinPolicy, PwmPolicy, SpiConfig,
    SpiMode, SpiPolicy,
};

/// The generated bindings of the `wasi-hal:virtual-board/board` world.
#[doc(hidden)]
pub mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: [
            "../../wit/wasi-spi",
            "../../wit/wasi-i2c",
            "../../wit/wasi-gpio",
            "../../wit/wasi-delay",
            "../../wit/wasi-pwm",
            "../../wit/sensor-environment",
            "../../wit/wasi-hal-inspect",
            "../../drivers/wit-deps/config",
            "wit",
        ],
        world: "wasi-hal:virtual-board/board",
        generate_all,
        pub_export_macro: true,
        export_macro_name: "__export_virtual_board",
    });
}

/// A board's wiring: the names guests open, the board file's policy for each, and the parts.
#[derive(Clone, Debug)]
pub struct BoardSpec {
    /// The board's name (its board file's `[board] name`).
    pub name: &'static str,
    /// SPI devices (`[spi.NAME]`).
    pub spi: Vec<SpiSpec>,
    /// I2C buses (`[i2c.NAME]`).
    pub i2c: Vec<I2cSpec>,
    /// GPIO lines (`[gpio.NAME]`).
    pub gpio: Vec<LineSpec>,
    /// PWM channels (`[pwm.NAME]`).
    pub pwm: Vec<PwmSpec>,
    /// Sensors the host itself reads and serves as `sensor:environment` (`[sensor.NAME]`); a
    /// board file has at most one.
    pub sensors: Vec<SensorSpec>,
    /// The simulated parts (`[[part]]`).
    pub parts: Vec<PartSpec>,
    /// Driver settings offered through `wasi:config/store` (`[config]`).
    pub config: Vec<(&'static str, &'static str)>,
}

/// One SPI device and its policy.
#[derive(Clone, Debug)]
pub struct SpiSpec {
    /// The virtual name.
    pub name: &'static str,
    /// The board file's policy: the settings in force before a guest configures the device are
    /// its [`SpiPolicy::default_config`].
    pub policy: SpiPolicy,
}

/// One I2C bus and its policy.
#[derive(Clone, Debug)]
pub struct I2cSpec {
    /// The virtual name.
    pub name: &'static str,
    /// The board file's policy (the board file always lists the addresses).
    pub policy: I2cPolicy,
    /// Bus clock in Hz.
    pub frequency_hz: u32,
}

/// One GPIO line and its policy.
#[derive(Clone, Debug)]
pub struct LineSpec {
    /// The virtual name.
    pub name: &'static str,
    /// The board file's policy. The line starts at [`PinPolicy::initial_level`] (low when
    /// `None`), whatever its directions, as a simulated line of a board file does.
    pub policy: PinPolicy,
}

/// One PWM channel and its policy.
#[derive(Clone, Debug)]
pub struct PwmSpec {
    /// The virtual name.
    pub name: &'static str,
    /// The board file's policy: the frequencies a guest may set and the one it starts at.
    pub policy: PwmPolicy,
}

/// A sensor the host reads itself (`[sensor.NAME]`): on a simulated board, a DHT22 as the
/// kernel's `dht11` driver shows it. The virtual board exports it as `sensor:environment`.
#[derive(Clone, Copy, Debug)]
pub struct SensorSpec {
    /// The sensor's name in the board file.
    pub name: &'static str,
    /// The air around it: temperature in degrees Celsius.
    pub temperature_celsius: f64,
    /// The air around it: relative humidity in percent.
    pub humidity_percent: f64,
    /// Every n-th read of the part fails with the kernel's `EIO` (`None`: none fails).
    pub fail_every: Option<u32>,
}

/// A simulated part and what it is wired to.
#[derive(Clone, Debug)]
pub enum PartSpec {
    /// An SSD1306 on an SPI chip select, with its D/C# and (optional) RES# lines.
    Ssd1306Spi {
        /// The part's name (a display name for `wasi-hal:inspect`).
        name: &'static str,
        /// The glass.
        panel: wasi_hal_sim::ssd1306::PanelSize,
        /// The SPI device it answers on.
        spi: &'static str,
        /// Its D/C# line.
        dc: &'static str,
        /// Its RES# line.
        res: Option<&'static str>,
    },
    /// An SSD1306 on an I2C bus.
    Ssd1306I2c {
        /// The part's name.
        name: &'static str,
        /// The glass.
        panel: wasi_hal_sim::ssd1306::PanelSize,
        /// The bus.
        bus: &'static str,
        /// Its 7-bit address.
        address: u8,
    },
    /// An SSD1331 colour OLED (96x64, RGB565) on an SPI chip select, with its D/C# line and
    /// (optional) RES# and panel supply (VCCEN) lines.
    Ssd1331 {
        /// The part's name (a display name for `wasi-hal:inspect`).
        name: &'static str,
        /// The SPI device it answers on.
        spi: &'static str,
        /// Its D/C# line.
        dc: &'static str,
        /// Its RES# line.
        res: Option<&'static str>,
        /// Its VCCEN line (the panel's supply; high = on).
        vccen: Option<&'static str>,
    },
    /// An addressable LED strip whose data input is an SPI device's MOSI.
    Ws2812 {
        /// The part's name (a display name for `wasi-hal:inspect`).
        name: &'static str,
        /// The SPI device whose MOSI drives it.
        spi: &'static str,
        /// The LED part.
        model: wasi_hal_sim::ws2812::StripModel,
        /// How many LEDs.
        length: u32,
    },
    /// A BME680 on an I2C bus, measuring fixed conditions.
    Bme680 {
        /// The part's name (a sensor name for `wasi-hal:inspect`).
        name: &'static str,
        /// The bus.
        bus: &'static str,
        /// Its 7-bit address (0x76 or 0x77).
        address: u8,
        /// What it measures.
        conditions: wasi_hal_sim::bme680::Conditions,
    },
    /// A push button on a line.
    Button {
        /// The part's name.
        name: &'static str,
        /// The line it drives.
        line: &'static str,
        /// Whether the line reads high while it is pressed.
        active_high: bool,
    },
    /// An active buzzer on a line (its own oscillator, switched as through a relay). Each tone
    /// it played is written to stderr as it ends (see [`board`](crate::VirtualBoard)).
    Buzzer {
        /// The part's name.
        name: &'static str,
        /// The line that switches it.
        line: &'static str,
        /// Whether it sounds while the line is high.
        active_high: bool,
        /// Its own pitch.
        pitch_hz: u32,
    },
    /// A passive buzzer (a piezo) on a PWM channel: it sounds at the channel's frequency while
    /// the channel pulses. Each tone it played is written to stderr as it ends.
    PassiveBuzzer {
        /// The part's name.
        name: &'static str,
        /// The PWM channel that drives it.
        pwm: &'static str,
    },
}

/// Exports a virtual board from a `cdylib` crate: `export_board!(spec)`, where `spec` is an
/// expression of type [`BoardSpec`]. The board is built the first time any export is called.
#[macro_export]
macro_rules! export_board {
    ($spec:expr) => {
        /// The board this component simulates.
        struct ThisBoard;

        impl $crate::Spec for ThisBoard {
            fn board() -> &'static $crate::VirtualBoard {
                static BOARD: ::std::sync::OnceLock<$crate::VirtualBoard> = ::std::sync::OnceLock::new();
                BOARD.get_or_init(|| $crate::VirtualBoard::build($spec))
            }
        }

        type VirtualBoard = $crate::Component<ThisBoard>;
        $crate::bindings::__export_virtual_board!(VirtualBoard with_types_in $crate::bindings);
    };
}

/// Where the exports find the one board of a component; implemented by [`export_board!`].
pub trait Spec: 'static {
    /// The board, built on first use.
    fn board() -> &'static VirtualBoard;
}
