//! Policy from the board file, Spin-style: each name a guest may use is there only when the file
//! defines it, with the policy the file sets (or the documented defaults).

use wasi_hal_board::{
    AboveMax, BitOrder, Board, BoardFile, DEFAULT_MAX_TRANSFER_BYTES, ErrorKind, Level, SpiMode,
};

fn sim_board(body: &str) -> Result<BoardFile, wasi_hal_board::BoardError> {
    BoardFile::parse(
        &format!("[board]\nname = \"t\"\nbackend = \"simulated\"\n\n{body}"),
        "t.toml",
    )
}

#[test]
fn works_when_spi_name_is_defined() {
    let file = sim_board("[spi.oled]\nmax-frequency-hz = 10_000_000\n").unwrap();
    assert!(file.spi.contains_key("oled"));
    let board = Board::build(file).unwrap();
    assert!(board.simulated().unwrap().spi("oled").is_some());
}

#[test]
fn errors_when_spi_name_is_not_defined() {
    let board = Board::build(sim_board("[spi.oled]\nmax-frequency-hz = 1\n").unwrap()).unwrap();
    let sim = board.simulated().unwrap();
    assert!(sim.spi("screen").is_none());
    // Names are per kind: an SPI name is not an I2C bus or a GPIO line.
    assert!(sim.i2c("oled").is_none());
    assert!(sim.line("oled").is_none());
}

#[test]
fn works_when_i2c_name_is_defined() {
    let file = sim_board("[i2c.i2c0]\naddresses = [0x3c]\n").unwrap();
    let board = Board::build(file).unwrap();
    assert!(board.simulated().unwrap().i2c("i2c0").is_some());
}

#[test]
fn errors_when_i2c_name_is_not_defined() {
    let board = Board::build(sim_board("[i2c.i2c0]\naddresses = [0x3c]\n").unwrap()).unwrap();
    assert!(board.simulated().unwrap().i2c("i2c1").is_none());
    let e = sim_board("[[part]]\nkind = \"bme680\"\nname = \"s\"\ni2c = \"i2c1\"\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UndefinedName);
}

#[test]
fn works_when_gpio_name_is_defined() {
    let file = sim_board("[gpio.led]\nmodes = [\"output\"]\ninitial = \"high\"\n").unwrap();
    let board = Board::build(file).unwrap();
    assert!(
        board
            .simulated()
            .unwrap()
            .line("led")
            .unwrap()
            .is_high_now()
    );
}

#[test]
fn errors_when_gpio_name_is_not_defined() {
    let board = Board::build(sim_board("[gpio.led]\nmodes = [\"output\"]\n").unwrap()).unwrap();
    assert!(board.simulated().unwrap().line("led2").is_none());
}

#[test]
fn a_board_with_no_names_offers_nothing() {
    let file = sim_board("").unwrap();
    assert_eq!(file.names().count(), 0);
}

#[test]
fn spi_policy_is_read_as_written() {
    let file = sim_board(
        "[spi.oled]\nmax-frequency-hz = 10_000_000\nmodes = [\"mode3\", \"mode0\", \"mode3\"]\n\
         bit-orders = [\"msb-first\", \"lsb-first\"]\nconfigurable = true\n\
         frequency-hz = 4_000_000\nmode = \"mode3\"\nbit-order = \"lsb-first\"\n\
         above-max = \"refuse\"\nmax-transfer-bytes = 1024\n",
    )
    .unwrap();
    let p = &file.spi["oled"].policy;
    assert_eq!(p.max_frequency_hz, 10_000_000);
    assert_eq!(
        p.modes,
        [SpiMode::Mode0, SpiMode::Mode3],
        "sorted, no repeats"
    );
    assert_eq!(p.bit_orders, [BitOrder::MsbFirst, BitOrder::LsbFirst]);
    assert!(p.configurable);
    assert_eq!(p.settings.frequency_hz, 4_000_000);
    assert_eq!(p.settings.mode, SpiMode::Mode3);
    assert_eq!(p.settings.bit_order, BitOrder::LsbFirst);
    assert_eq!(p.above_max, AboveMax::Refuse);
    assert_eq!(p.max_transfer_bytes, 1024);
}

#[test]
fn spi_policy_defaults_are_fixed_settings_at_the_maximum() {
    let file = sim_board("[spi.oled]\nmax-frequency-hz = 10_000_000\n").unwrap();
    let p = &file.spi["oled"].policy;
    assert!(!p.configurable, "fixed unless the board says otherwise");
    assert_eq!(p.modes, [SpiMode::Mode0]);
    assert_eq!(p.bit_orders, [BitOrder::MsbFirst]);
    assert_eq!(p.settings.frequency_hz, 10_000_000);
    assert_eq!(p.settings.mode, SpiMode::Mode0);
    assert_eq!(p.above_max, AboveMax::Clamp);
    assert_eq!(p.max_transfer_bytes, DEFAULT_MAX_TRANSFER_BYTES);
    // A single `mode` is also the only allowed mode.
    let file = sim_board("[spi.oled]\nmax-frequency-hz = 1\nmode = \"mode2\"\n").unwrap();
    assert_eq!(file.spi["oled"].policy.modes, [SpiMode::Mode2]);
}

#[test]
fn general_call_is_never_allowed_unless_listed() {
    let file =
        sim_board("[i2c.a]\naddresses = [0x3c, 0x76]\n\n[i2c.b]\naddresses = [0x00, 0x3c]\n")
            .unwrap();
    assert!(!file.i2c["a"].policy.addresses.contains(&0));
    assert_eq!(
        file.i2c["a"]
            .policy
            .addresses
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        [0x3c, 0x76]
    );
    assert!(file.i2c["b"].policy.addresses.contains(&0));
}

#[test]
fn gpio_safe_level_defaults_to_the_initial_level() {
    let file = sim_board(
        "[gpio.a]\nmodes = [\"output\"]\ninitial = \"high\"\n\n\
         [gpio.b]\nmodes = [\"output\"]\ninitial = \"high\"\nsafe = \"low\"\n\n\
         [gpio.c]\nmodes = [\"input\", \"output\"]\n",
    )
    .unwrap();
    assert_eq!(file.gpio["a"].policy.safe, Level::High);
    assert_eq!(file.gpio["b"].policy.safe, Level::Low);
    let c = file.gpio["c"].policy;
    assert!(c.input && c.output);
    assert_eq!((c.initial, c.safe), (Level::Low, Level::Low));
    assert!(!file.gpio["a"].policy.input);
}

#[test]
fn a_button_line_starts_released() {
    let file = sim_board(
        "[gpio.btn]\nmodes = [\"input\"]\n\n[[part]]\nkind = \"button\"\nname = \"b\"\n\
         line = \"btn\"\n",
    )
    .unwrap();
    assert_eq!(
        file.gpio["btn"].policy.initial,
        Level::High,
        "active low: released is high"
    );
    // An explicit initial level that reads as pressed is a wiring mistake.
    let e = sim_board(
        "[gpio.btn]\nmodes = [\"input\"]\ninitial = \"low\"\n\n[[part]]\nkind = \"button\"\n\
         name = \"b\"\nline = \"btn\"\n",
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Wiring);
    assert_eq!(e.key(), Some("gpio.btn.initial"));
}

#[test]
fn entries_remember_where_they_are() {
    let file =
        sim_board("[spi.oled]\nmax-frequency-hz = 1\n\n[gpio.dc]\nmodes = [\"output\"]\n").unwrap();
    assert_eq!(file.spi["oled"].location.line, 5);
    assert_eq!(file.gpio["dc"].location.line, 8);
}
