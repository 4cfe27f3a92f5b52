//! The board file: one TOML file that says what hardware a wasi-hal host offers its guests.
//!
//! A board file maps each virtual name a guest may open (an SPI device, an I2C bus, a GPIO line)
//! to what is behind it (a Linux device node, or a simulated part) and sets the policy for it
//! (frequencies, modes, addresses, directions, transfer sizes, safe levels). The schema is
//! documented in `docs/board-file.md`; `boards/` at the repository root has examples.
//!
//! The crate has three layers, one job each:
//! 1. [`BoardFile`]: the parsed and checked description, pure data
//!    ([`BoardFile::load`], [`BoardFile::parse`]). Every mistake in a file is a [`BoardError`]
//!    naming the file, line, column and key. It comes from the `wasi-hal-board-file` crate
//!    (no Wasmtime), re-exported here whole.
//! 2. [`Board`]: the live board built from a [`BoardFile`]: the shared device objects behind the
//!    names. On a simulated board they are `wasi-hal-sim` parts wired together with one clock
//!    and one trace, and [`SimBoard`] gives access to them (display frames, sensors, lines,
//!    buttons, the trace, the clock).
//! 3. Per-guest contexts for the host crates, built from the board's shared handles with the
//!    host crates' builders: [`Board::spi_ctx`], [`Board::i2c_ctx`], [`Board::gpio_ctx`],
//!    [`Board::delay_ctx`], or all four with the board's `[config]` values in a
//!    [`WasiHalCtx`](wasi_hal_linker::WasiHalCtx) from [`Board::guest_ctx`].
//!
//! [`discovery`] scans a `/dev` directory for spidev, i2c-dev and gpiochip nodes, for boards with
//! `[discovery] enabled = true`.

mod board;
mod ctx;
mod dht22;

pub use board::{Board, SimBoard};
pub use wasi_hal_board_file::*;
pub use wasi_hal_sim::wiring::{SimButton, SimDisplay, SimLed};

// The live board and the contexts name the board file's types as `crate::file::...` and
// `crate::error::...`.
use wasi_hal_board_file as error;
use wasi_hal_board_file as file;
