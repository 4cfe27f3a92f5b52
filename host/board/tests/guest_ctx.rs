//! Per-guest contexts built from a board: each guest is offered exactly the board's names, with
//! the board file's policy in the host crates' terms.

use std::path::Path;
use wasi_hal_board::{Board, BoardFile};

fn board(name: &str) -> Board {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../boards")
        .join(format!("{name}.toml"));
    Board::load(path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn works_when_name_is_defined() {
    let board = board("sim-pacman-pmod-oled");
    let ctx = board.guest_ctx();
    assert_eq!(ctx.spi.device_names().collect::<Vec<_>>(), ["oled"]);
    assert_eq!(
        ctx.gpio.pin_names().collect::<Vec<_>>(),
        [
            "btn-down",
            "btn-left",
            "btn-right",
            "btn-up",
            "oled-dc",
            "oled-res",
            "oled-vbatc",
            "oled-vddc"
        ]
    );
    assert_eq!(ctx.i2c.bus_names().count(), 0);
}

#[test]
fn errors_when_name_is_not_defined() {
    let board = board("sim-weather");
    let ctx = board.guest_ctx();
    assert_eq!(ctx.i2c.bus_names().collect::<Vec<_>>(), ["i2c0"]);
    assert!(!ctx.i2c.bus_names().any(|n| n == "i2c1"));
    assert_eq!(ctx.spi.device_names().count(), 0);
    assert_eq!(ctx.gpio.pin_names().count(), 0);
    assert!(board.spi_device("oled").is_none());
    assert!(board.pin("oled-dc").is_none());
}

#[test]
fn spi_policy_reaches_the_host_crate() {
    let board = board("sim-pacman-pmod-oled");
    let policy = board.spi_device("oled").unwrap().policy().clone();
    assert_eq!(policy.max_frequency_hz, 10_000_000);
    assert!(policy.guest_may_configure);
    assert_eq!(
        policy.allowed_modes,
        [wasi_hal_spi::SpiMode::Mode0, wasi_hal_spi::SpiMode::Mode3]
    );
    assert!(!policy.allow_lsb_first);
    assert_eq!(policy.default_config.frequency_hz, 8_000_000);
    assert_eq!(policy.above_maximum, wasi_hal_spi::AboveMaximum::Clamp);
    assert_eq!(policy.max_transfer_bytes, 4096);
}

#[test]
fn i2c_policy_reaches_the_host_crate() {
    let board = board("sim-weather");
    let policy = board.i2c_bus("i2c0").unwrap().policy().clone();
    assert!(policy.allows(0x3c) && policy.allows(0x76));
    assert!(!policy.allows(0x00), "general call is not listed");
    assert!(!policy.allows(0x77));
}

#[test]
fn gpio_policy_reaches_the_host_crate() {
    let board = board("sim-pacman-pmod-oled");
    let vbat = board.pin("oled-vbatc").unwrap();
    assert_eq!(vbat.policy().safe_level, wasi_hal_gpio::Level::High);
    assert!(vbat.modes().output && !vbat.modes().input);
    // An output is driven to its initial level when the board is built.
    assert_eq!(vbat.driven_level(), Some(wasi_hal_gpio::Level::High));
    let button = board.pin("btn-up").unwrap();
    assert!(button.modes().input && !button.modes().output);
    assert_eq!(button.driven_level(), None);
}

#[test]
fn delay_runs_on_the_simulated_boards_clock() {
    let board = board("sim-ssd1306-i2c");
    let ctx = board.delay_ctx();
    let clock = board.simulated().unwrap().clock();
    assert!(ctx.backend().is_virtual());
    let before = clock.now_ns();
    ctx.backend().delay_ns(5_000);
    assert_eq!(clock.now_ns() - before, 5_000);
}

#[test]
fn every_guest_gets_its_own_context_over_the_same_devices() {
    let file = BoardFile::parse(
        "[board]\nname = \"two\"\nbackend = \"simulated\"\n\n[gpio.led]\nmodes = [\"output\"]\n",
        "two.toml",
    )
    .unwrap();
    let board = Board::build(file).unwrap();
    let (a, b) = (board.gpio_ctx(), board.gpio_ctx());
    assert_eq!(
        a.pin_names().collect::<Vec<_>>(),
        b.pin_names().collect::<Vec<_>>()
    );
    assert!(!board.pin("led").unwrap().is_held());
}
