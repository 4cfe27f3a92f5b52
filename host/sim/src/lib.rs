//! Simulated hardware for wasi-hal: parts that behave like the real ones, behind the same
//! embedded-hal 1.0 traits as the Linux backends, in virtual time.
//!
//! The models here are plain Rust: no Wasmtime, no threads, no wall clock. Time only moves when
//! something advances the [`SimClock`] (a delay, or the time a transfer takes on the wire), so a
//! run is deterministic and as fast as the CPU allows. A host that wants to watch in real time
//! paces the clock itself.
//!
//! The building blocks:
//! - [`SimClock`]: the shared virtual clock, also an [`embedded_hal::delay::DelayNs`].
//! - [`SimLine`]: a GPIO line with its time-stamped level history, as output and input pin.
//! - [`SimI2cBus`]: an [`embedded_hal::i2c::I2c`] bus that routes each transaction to the
//!   [`I2cTarget`] at its address.
//! - [`SimSpiDevice`]: an [`embedded_hal::spi::SpiDevice`] that streams bytes to one [`SpiTarget`].
//! - [`SimPwm`]: a PWM channel (frequency, duty cycle, on/off), an
//!   [`embedded_hal::pwm::SetDutyCycle`]; [`buzzer::SimBuzzer`] records the tones it makes.
//! - [`dht22::SimDht22`]: a DHT22 as the kernel's IIO driver shows it (host-read sensors).
//! - [`Trace`]: every bus transaction and GPIO edge with its simulated time.
//! - [`ssd1331::Ssd1331`]: the colour OLED controller of the Pmod OLEDrgb, on SPI.
//! - [`ws2812::Ws2812Strip`]: an addressable LED strip that reads its data from an SPI MOSI line.
//! - [`SimWiring`]: a board's buses, lines and channels by name and the parts on them, wired
//!   the same way by every simulated board.

pub mod bme680;
pub mod buzzer;
pub mod dht22;
pub mod frame;
pub mod gpio;
pub mod i2c;
pub mod pwm;
pub mod spi;
pub mod ssd1306;
pub mod ssd1331;
pub mod trace;
pub mod wiring;
pub mod ws2812;

pub use frame::Frame;
pub use gpio::SimLine;
pub use i2c::{I2cTarget, I2cTargetError, SimI2cBus};
pub use pwm::{PwmSetting, SimPwm};
pub use spi::{SimSpiDevice, SpiConfig, SpiMode, SpiTarget};
pub use trace::{Trace, TraceEvent, TraceKind, TraceSink};
/// The virtual clock lives in `wasi-hal-policy`, so hosts use it without the simulator.
pub use wasi_hal_policy::clock::{self, SimClock};
pub use wiring::{SimButton, SimDisplay, SimLed, SimWiring};
