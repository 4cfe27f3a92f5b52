//! The SSD1306 OLED controller model (Solomon Systech SSD1306, datasheet rev 1.1), with the
//! panel glass behind it and its I2C and 4-wire SPI interfaces.
//!
//! # Pieces
//! - [`Ssd1306`]: the controller: command parser, 128x64-bit GDDRAM, registers, and
//!   [`Ssd1306::frame`], what the glass shows.
//! - [`Ssd1306I2c`]: an [`I2cTarget`](crate::I2cTarget) that decodes the I2C control bytes.
//! - [`Ssd1306Spi`]: an [`SpiTarget`](crate::SpiTarget) that samples a D/C line and honours a
//!   RES line.
//!
//! # Shared handle
//! The controller lives in a [`SharedSsd1306`] (`Arc<Mutex<Ssd1306>>`). The interface adapters
//! hold a clone of it, and so does whoever wants to look at the display (a renderer, a test):
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use wasi_hal_sim::ssd1306::{PanelSize, Ssd1306, Ssd1306Config, Ssd1306I2c};
//! use wasi_hal_sim::{SimClock, SimI2cBus, Trace};
//!
//! let clock = SimClock::new();
//! let bus = SimI2cBus::new("i2c0", clock.clone(), Trace::new());
//! let display = Ssd1306::new_shared(Ssd1306Config::new(PanelSize::W128H64), clock);
//! bus.attach(0x3C, Arc::new(Mutex::new(Ssd1306I2c::new(display.clone()))));
//! // ... a driver talks to `bus` ...
//! let frame = display.lock().unwrap().frame();
//! assert_eq!((frame.width, frame.height), (128, 64));
//! ```
//!
//! Lock order: a bus locks the adapter, the adapter locks the controller. Nothing in this module
//! locks an adapter while holding the controller, so readers may lock the controller at any time.
//! A RES# line wired with [`connect_reset_line`] locks the controller when it changes level, so
//! do not drive that line while holding the controller's lock.
//!
//! # What is modelled, and the choices the datasheet leaves open
//! - Segment remap (0xA0/0xA1) applies when data is written, not when it is displayed: the
//!   datasheet says of 0xA0/0xA1 "this command only affects subsequent data input. Data already
//!   stored in GDDRAM will have no changes". So [`Ssd1306::gddram`] is indexed by segment
//!   (`page * 128 + SEG`). COM scan direction (0xC0/0xC8) acts at once on the displayed image.
//! - Every data byte moves the address pointer by the rules of the addressing mode; the pointer
//!   wraps to the window start when it *equals* the window end (0x21/0x22; in page mode the
//!   column window applies too, as section 10.1.3 says), otherwise it counts up modulo 128
//!   columns / 8 pages, as a hardware counter would.
//! - Row mapping: scan row `r` (0..mux) shows RAM line `(r + start line) % 64`; with 0xC0 it
//!   drives COM `(r - offset) % 64`, with 0xC8 the mirror image `(mux - 1 - that) % 64`
//!   (Table 10-1 of the datasheet for 0xC0). COM outputs are routed to pads by the COM pins
//!   configuration (0xDA, Table 10-3), and the panel's glass rows are wired to the pads in the
//!   order that the panel's intended configuration gives. A driver that sends the wrong 0xDA
//!   value therefore sees interleaved or missing rows, as on real glass.
//! - Glass orientation: the common modules are mounted so that the image is upright with
//!   segment remap on and COM scan reversed (0xA1, 0xC8, which is what the `ssd1306` crate's
//!   `Rotate0` sends); the power-on state (0xA0, 0xC0) shows the image rotated by 180 degrees.
//!   A panel narrower than 128 columns sits at a column offset (see [`PanelSize::column_offset`]).
//! - Brightness: OLED luminance follows the segment current, which contrast (0x81) sets
//!   linearly; the lit colour is scaled by `sqrt((contrast + 1) / 256)` (a gamma-2 encoding of
//!   that luminance), so contrast 0xFF gives the lit colour exactly.
//! - Scrolling (0x26/0x27/0x29/0x2A/0xA3/0x2F) is parsed, checked and recorded in
//!   [`Registers::scroll`], but [`Ssd1306::frame`] shows the unscrolled RAM.
//! - Datasheet violations never fail: they are kept as [`Warning`]s (see [`WarningKind`]).

mod controller;
mod i2c;
mod render;
mod spi;
mod warning;

pub use controller::{
    AddressingMode, GDDRAM_BYTES, PowerOnRam, Registers, ScrollSetup, ScrollState, SharedSsd1306,
    Ssd1306, Ssd1306Config,
};
pub use i2c::Ssd1306I2c;
pub use spi::{MAX_SPI_CLOCK_HZ, Ssd1306Spi, connect_reset_line};
pub use warning::{Warning, WarningKind};

pub use wasi_hal_policy::parts::PanelSize;
