//! Every kind of mistake in a board file gives one clear error naming the file, line, column and
//! key, never a panic.

use wasi_hal_board::{BoardError, BoardFile, ErrorKind};

/// A valid `[board]` table: four lines, so the body starts on line 5.
const HEAD: &str = "[board]\nname = \"x\"\nbackend = \"simulated\"\n\n";
const LINUX_HEAD: &str = "[board]\nname = \"x\"\nbackend = \"linux\"\n\n";

fn error(head: &str, body: &str) -> BoardError {
    match BoardFile::parse(&format!("{head}{body}"), "boards/x.toml") {
        Ok(file) => panic!("expected an error, got {file:?}"),
        Err(e) => e,
    }
}

fn assert_error(head: &str, body: &str, kind: ErrorKind, expected: &str) {
    let e = error(head, body);
    assert_eq!(e.to_string(), expected);
    assert_eq!(e.kind(), kind, "{e}");
}

#[test]
fn unknown_key_in_a_device_table() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1_000_000\nmax-freq = 3\n",
        ErrorKind::UnknownKey,
        "boards/x.toml:7:1: key `spi.oled.max-freq`: unknown key `max-freq` (known keys: \
         `device`, `max-frequency-hz`, `modes`, `bit-orders`, `configurable`, `frequency-hz`, \
         `mode`, `bit-order`, `above-max`, `max-transfer-bytes`)",
    );
}

#[test]
fn unknown_top_level_table() {
    assert_error(
        "",
        "[board]\nname = \"x\"\nbackend = \"simulated\"\n\n[servo.fan]\nduty = 3\n",
        ErrorKind::UnknownKey,
        "boards/x.toml:5:2: key `servo`: unknown key `servo` (known keys: `board`, `spi`, `i2c`, \
         `gpio`, `pwm`, `sensor`, `part`, `discovery`, `config`)",
    );
}

#[test]
fn key_that_does_not_apply_to_the_part_kind() {
    assert_error(
        HEAD,
        "[gpio.led0]\nmodes = [\"output\"]\n\n[[part]]\nkind = \"led\"\nname = \"power\"\n\
         line = \"led0\"\npanel = \"128x32\"\n",
        ErrorKind::UnknownKey,
        "boards/x.toml:12:1: key `part[0].panel`: unknown key for a `led` part (known keys: \
         kind, name, line, active)",
    );
}

#[test]
fn duplicate_virtual_name_in_one_table() {
    // A key defined twice is a TOML error: toml's message, at the second definition.
    let e = error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1_000_000\n\n[spi.oled]\nmax-frequency-hz = 2_000_000\n",
    );
    assert_eq!(e.kind(), ErrorKind::Syntax, "{e}");
    assert_eq!(
        e.location(),
        Some(wasi_hal_board::Location { line: 8, column: 6 })
    );
    assert!(
        e.to_string()
            .starts_with("boards/x.toml:8:6: invalid TOML: "),
        "{e}"
    );
}

#[test]
fn duplicate_virtual_name_across_tables() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1_000_000\n\n[gpio.oled]\nmodes = [\"output\"]\n",
        ErrorKind::DuplicateName,
        "boards/x.toml:8:7: key `gpio.oled`: the name `oled` is already defined as `spi.oled` at \
         line 5 (names are unique across spi, i2c, gpio, pwm and sensor)",
    );
}

#[test]
fn duplicate_part_name() {
    assert_error(
        HEAD,
        "[gpio.a]\nmodes = [\"output\"]\n[gpio.b]\nmodes = [\"output\"]\n\n\
         [[part]]\nkind = \"led\"\nname = \"led\"\nline = \"a\"\n\n\
         [[part]]\nkind = \"led\"\nname = \"led\"\nline = \"b\"\n",
        ErrorKind::DuplicateName,
        "boards/x.toml:17:8: key `part[1].name`: a part named `led` is already defined at line 10",
    );
}

#[test]
fn same_spidev_under_two_names() {
    assert_error(
        LINUX_HEAD,
        "[spi.oled]\ndevice = \"/dev/spidev0.0\"\nmax-frequency-hz = 10_000_000\n\n\
         [spi.screen]\ndevice = \"/dev/spidev0.0\"\nmax-frequency-hz = 8_000_000\n",
        ErrorKind::DuplicateDevice,
        "boards/x.toml:10:10: key `spi.screen.device`: `/dev/spidev0.0` (one bus and chip \
         select) is already mapped as `spi.oled`",
    );
}

#[test]
fn same_spidev_spelled_differently() {
    let e = error(
        LINUX_HEAD,
        "[spi.oled]\ndevice = \"/dev/spidev0.0\"\nmax-frequency-hz = 10_000_000\n\n\
         [spi.screen]\ndevice = \"/dev//spidev0.0\"\nmax-frequency-hz = 8_000_000\n",
    );
    assert_eq!(e.kind(), ErrorKind::DuplicateDevice, "{e}");
    assert_eq!(e.key(), Some("spi.screen.device"));
}

#[test]
fn different_chip_selects_are_different_devices() {
    let file = BoardFile::parse(
        &format!(
            "{LINUX_HEAD}[spi.oled]\ndevice = \"/dev/spidev0.0\"\nmax-frequency-hz = 1\n\n\
             [spi.sensor]\ndevice = \"/dev/spidev0.1\"\nmax-frequency-hz = 1\n"
        ),
        "boards/x.toml",
    )
    .unwrap();
    assert_eq!(file.spi.len(), 2);
}

#[test]
fn same_gpio_line_under_two_names() {
    assert_error(
        LINUX_HEAD,
        "[gpio.dc]\nchip = \"/dev/gpiochip0\"\nline = 17\nmodes = [\"output\"]\n\n\
         [gpio.led]\nchip = \"/dev/gpiochip0\"\nline = 17\nmodes = [\"output\"]\n",
        ErrorKind::DuplicateDevice,
        "boards/x.toml:12:8: key `gpio.led.line`: line 17 of `/dev/gpiochip0` is already mapped \
         as `gpio.dc`",
    );
}

#[test]
fn same_pwm_channel_under_two_names_and_a_chip_on_a_simulated_board() {
    let channel = "chip = \"/sys/class/pwm/pwmchip0\"\nchannel = 1\nmin-frequency-hz = 100\n\
                   max-frequency-hz = 5000\n";
    assert_error(
        LINUX_HEAD,
        &format!("[pwm.fan]\n{channel}\n[pwm.buzzer]\n{channel}"),
        ErrorKind::DuplicateDevice,
        "boards/x.toml:13:11: key `pwm.buzzer.channel`: channel 1 of `/sys/class/pwm/pwmchip0` \
         is already mapped as `pwm.fan`",
    );
    assert_error(
        HEAD,
        &format!("[pwm.fan]\n{channel}"),
        ErrorKind::InvalidValue,
        "boards/x.toml:6:1: key `pwm.fan.chip`: a simulated board has no PWM chips: each name is \
         a simulated channel",
    );
}

#[test]
fn same_i2c_bus_under_two_names() {
    assert_error(
        LINUX_HEAD,
        "[i2c.a]\ndevice = \"/dev/i2c-1\"\naddresses = [0x3c]\n\n\
         [i2c.b]\ndevice = \"/dev/i2c-1\"\naddresses = [0x76]\n",
        ErrorKind::DuplicateDevice,
        "boards/x.toml:10:10: key `i2c.b.device`: `/dev/i2c-1` is already mapped as `i2c.a` (to \
         share a bus, list every address under one name)",
    );
}

#[test]
fn wrong_type_string_for_integer() {
    assert_error(
        HEAD,
        "[spi.oled]\n    max-frequency-hz = \"fast\"\n",
        ErrorKind::WrongType,
        "boards/x.toml:6:24: key `spi.oled.max-frequency-hz`: expected an integer, found a string",
    );
}

#[test]
fn wrong_type_string_for_boolean() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\nconfigurable = \"yes\"\n",
        ErrorKind::WrongType,
        "boards/x.toml:7:16: key `spi.oled.configurable`: expected a boolean (true or false), \
         found a string",
    );
}

#[test]
fn wrong_type_integer_for_mode() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\nmodes = [0]\n",
        ErrorKind::WrongType,
        "boards/x.toml:7:10: key `spi.oled.modes[0]`: expected a string, found an integer",
    );
}

#[test]
fn unknown_mode_name() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\nmodes = [\"mode0\", \"mode5\"]\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:7:19: key `spi.oled.modes[1]`: unknown value `mode5`, expected one of \
         `mode0`, `mode1`, `mode2`, `mode3`",
    );
}

#[test]
fn negative_frequency() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = -1\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:20: key `spi.oled.max-frequency-hz`: expected an integer from 0 to \
         4294967295, found -1",
    );
}

#[test]
fn address_that_is_not_a_byte() {
    assert_error(
        HEAD,
        "[i2c.bus]\naddresses = [0x3c, 300]\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:20: key `i2c.bus.addresses[1]`: expected an integer from 0 to 255, found \
         300",
    );
}

#[test]
fn address_that_is_not_seven_bits() {
    assert_error(
        HEAD,
        "[i2c.bus]\naddresses = [0x3c, 0x80]\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:20: key `i2c.bus.addresses[1]`: 0x80 is not a 7-bit address (0x00 to \
         0x7f)",
    );
}

#[test]
fn missing_board_table() {
    assert_error(
        "",
        "[spi.oled]\nmax-frequency-hz = 1\n",
        ErrorKind::MissingKey,
        "boards/x.toml:1:1: key `board`: missing required key",
    );
}

#[test]
fn missing_required_policy_key() {
    assert_error(
        HEAD,
        "[spi.oled]\nmodes = [\"mode0\"]\n",
        ErrorKind::MissingKey,
        "boards/x.toml:5:6: key `spi.oled.max-frequency-hz`: missing required key: the highest \
         SCLK frequency a guest may use, in hertz",
    );
}

#[test]
fn missing_part_kind() {
    assert_error(
        HEAD,
        "[[part]]\nname = \"a\"\n",
        ErrorKind::MissingKey,
        "boards/x.toml:5:1: key `part[0].kind`: missing required key",
    );
}

#[test]
fn missing_device_on_a_linux_board() {
    assert_error(
        LINUX_HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\n",
        ErrorKind::MissingKey,
        "boards/x.toml:5:6: key `spi.oled.device`: missing required key: a linux board maps each \
         SPI name to a spidev node, e.g. device = \"/dev/spidev0.0\"",
    );
}

#[test]
fn device_path_on_a_simulated_board() {
    assert_error(
        HEAD,
        "[i2c.bus]\ndevice = \"/dev/i2c-1\"\naddresses = [0x3c]\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:1: key `i2c.bus.device`: a simulated board has no device nodes: the \
         parts whose `i2c` key names this bus sit on it",
    );
}

#[test]
fn part_dc_names_no_gpio() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 10_000_000\n\n[[part]]\nkind = \"ssd1306\"\n\
         name = \"display\"\npanel = \"128x32\"\nspi = \"oled\"\ndc = \"oled-dc\"\n",
        ErrorKind::UndefinedName,
        "boards/x.toml:13:6: key `part[0].dc`: no GPIO named `oled-dc` is defined (add a \
         [gpio.oled-dc] table)",
    );
}

#[test]
fn part_spi_names_no_device() {
    assert_error(
        HEAD,
        "[gpio.dc]\nmodes = [\"output\"]\n\n[[part]]\nkind = \"ssd1306\"\nname = \"display\"\n\
         panel = \"128x32\"\nspi = \"oled\"\ndc = \"dc\"\n",
        ErrorKind::UndefinedName,
        "boards/x.toml:12:7: key `part[0].spi`: no SPI device named `oled` is defined (add a \
         [spi.oled] table)",
    );
}

#[test]
fn part_i2c_names_no_bus() {
    assert_error(
        HEAD,
        "[[part]]\nkind = \"bme680\"\nname = \"sensor\"\ni2c = \"i2c7\"\n",
        ErrorKind::UndefinedName,
        "boards/x.toml:8:7: key `part[0].i2c`: no I2C bus named `i2c7` is defined (add an \
         [i2c.i2c7] table)",
    );
}

#[test]
fn empty_allowed_modes() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\nmodes = []\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:7:9: key `spi.oled.modes`: no allowed modes: list at least one of \
         \"mode0\", \"mode1\", \"mode2\", \"mode3\"",
    );
}

#[test]
fn zero_max_frequency() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 0\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:6:20: key `spi.oled.max-frequency-hz`: a maximum frequency of 0 Hz allows \
         no transfer at all",
    );
}

#[test]
fn fixed_frequency_above_the_maximum() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1_000_000\nfrequency-hz = 2_000_000\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:7:16: key `spi.oled.frequency-hz`: the board's frequency 2000000 Hz is \
         above max-frequency-hz (1000000 Hz)",
    );
}

#[test]
fn fixed_mode_not_allowed() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\nmodes = [\"mode0\"]\nmode = \"mode3\"\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:8:8: key `spi.oled.mode`: the board's mode `mode3` is not one of the \
         allowed `modes`",
    );
}

#[test]
fn msb_first_cannot_be_forbidden() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\nbit-orders = [\"lsb-first\"]\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:7:14: key `spi.oled.bit-orders`: `msb-first` is always allowed \
         (wasi-hal-spi cannot forbid it): list it",
    );
}

#[test]
fn zero_transfer_limit() {
    assert_error(
        HEAD,
        "[i2c.bus]\naddresses = [0x3c]\nmax-transfer-bytes = 0\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:7:22: key `i2c.bus.max-transfer-bytes`: a transfer limit of 0 bytes allows \
         no transfer at all",
    );
}

#[test]
fn empty_address_list() {
    assert_error(
        HEAD,
        "[i2c.bus]\naddresses = []\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:6:13: key `i2c.bus.addresses`: no allowed addresses: a guest could reach \
         nothing on this bus",
    );
}

#[test]
fn empty_gpio_modes() {
    assert_error(
        HEAD,
        "[gpio.led]\nmodes = []\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:6:9: key `gpio.led.modes`: no allowed modes: list \"input\", \"output\" \
         or both",
    );
}

#[test]
fn two_parts_at_one_address() {
    assert_error(
        HEAD,
        "[i2c.bus]\naddresses = [0x3c]\n\n[[part]]\nkind = \"ssd1306\"\nname = \"a\"\n\
         panel = \"128x64\"\ni2c = \"bus\"\n\n[[part]]\nkind = \"ssd1306\"\nname = \"b\"\n\
         panel = \"128x32\"\ni2c = \"bus\"\naddress = 0x3c\n",
        ErrorKind::Wiring,
        "boards/x.toml:19:11: key `part[1].address`: part `a` already answers at 0x3c on I2C bus \
         `bus`",
    );
}

#[test]
fn dc_line_a_guest_cannot_drive() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\n[gpio.dc]\nmodes = [\"input\"]\n\n[[part]]\n\
         kind = \"ssd1306\"\nname = \"d\"\npanel = \"128x32\"\nspi = \"oled\"\ndc = \"dc\"\n",
        ErrorKind::Wiring,
        "boards/x.toml:15:6: key `part[0].dc`: GPIO `dc` must allow mode \"output\": the part \
         reads this line, so a guest must drive it",
    );
}

#[test]
fn button_line_a_guest_may_drive() {
    assert_error(
        HEAD,
        "[gpio.btn]\nmodes = [\"input\", \"output\"]\n\n[[part]]\nkind = \"button\"\n\
         name = \"up\"\nline = \"btn\"\n",
        ErrorKind::Wiring,
        "boards/x.toml:11:8: key `part[0].line`: GPIO `btn` has a button on it, so a guest must \
         not drive it: set its modes = [\"input\"]",
    );
}

#[test]
fn unknown_panel() {
    assert_error(
        HEAD,
        "[i2c.bus]\naddresses = [0x3c]\n[[part]]\nkind = \"ssd1306\"\nname = \"d\"\n\
         panel = \"100x10\"\ni2c = \"bus\"\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:10:9: key `part[0].panel`: unknown panel `100x10`, expected one of \
         \"128x64\", \"128x32\", \"96x16\", \"72x40\", \"64x48\", \"64x32\"",
    );
}

#[test]
fn parts_on_a_linux_board() {
    assert_error(
        LINUX_HEAD,
        "[[part]]\nkind = \"led\"\nname = \"a\"\nline = \"x\"\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:1: key `part[0].kind`: parts are simulated models: a linux board's \
         parts are real hardware (describe their wiring in comments)",
    );
}

#[test]
fn discovery_on_a_simulated_board() {
    assert_error(
        HEAD,
        "[discovery]\nenabled = true\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:11: key `discovery.enabled`: discovery scans Linux device nodes: it \
         needs board.backend = \"linux\"",
    );
}

#[test]
fn invalid_name_characters() {
    assert_error(
        HEAD,
        "[gpio.\"led 0\"]\nmodes = [\"output\"]\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:5:7: key `gpio.\"led 0\"`: the name `led 0` has the character ' '; names \
         use A-Z, a-z, 0-9, '.', '_' and '-'",
    );
}

#[test]
fn toml_syntax_error() {
    assert_error(
        HEAD,
        "[spi.oled\nmax-frequency-hz = 1\n",
        ErrorKind::Syntax,
        "boards/x.toml:5:10: invalid TOML: unclosed table, expected `]`",
    );
}

#[test]
fn missing_file() {
    let e = BoardFile::load("boards/does-not-exist.toml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(e.file(), std::path::Path::new("boards/does-not-exist.toml"));
    assert!(
        e.to_string()
            .starts_with("boards/does-not-exist.toml: cannot read the board file: "),
        "{e}"
    );
}

#[test]
fn garbage_never_panics() {
    // Truncations of a valid board at every byte, and a few odd inputs, give an error or a board,
    // never a panic.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../boards/sim-pacman-pmod-oled.toml"
    ))
    .unwrap();
    for end in 0..text.len() {
        if text.is_char_boundary(end) {
            let _ = BoardFile::parse(&text[..end], "boards/x.toml");
        }
    }
    for odd in [
        "\u{feff}",
        "\0",
        "[[board]]",
        "board = 1",
        "[board]\nname = \"\"\nbackend = \"linux\"",
    ] {
        assert!(BoardFile::parse(odd, "boards/x.toml").is_err(), "{odd:?}");
    }
}

#[test]
fn dotted_header_nested_past_the_parser_limit() {
    // 95 keys deep: past toml's recursion limit, which reports no position of its own.
    let header = vec!["spi"; 95].join(".");
    assert_error(
        HEAD,
        &format!("[spi.oled]\nmax-frequency-hz = 1\n\n[{header}]\nmode = \"mode0\"\n"),
        ErrorKind::Syntax,
        "boards/x.toml:8:1: key `spi.spi.spi.spi.…`: nested too deeply: 95 dotted keys (a board \
         file needs at most a few levels)",
    );
    // The same depth as a dotted key inside a table.
    assert_error(
        HEAD,
        &format!("[config]\n{header} = 1\n"),
        ErrorKind::Syntax,
        "boards/x.toml:6:1: key `spi.spi.spi.spi.…`: nested too deeply: 95 dotted keys (a board \
         file needs at most a few levels)",
    );
}

#[test]
fn inline_values_nested_past_the_parser_limit() {
    let value = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let e = error(HEAD, &format!("[config]\nk = {value}\n"));
    // toml's own message, at the position toml gives (on the line of the value).
    assert_eq!(e.kind(), ErrorKind::Syntax, "{e}");
    assert!(e.to_string().starts_with("boards/x.toml:6:"), "{e}");
}

#[test]
fn integer_past_64_bits() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 99999999999999999999999\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:20: key `spi.oled.max-frequency-hz`: expected an integer from 0 to \
         4294967295, found 99999999999999999999999",
    );
    assert_error(
        HEAD,
        "[config]\nbig = -99999999999999999999\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:7: key `config.big`: the integer -99999999999999999999 is out of range \
         (TOML integers go from -9223372036854775808 to 9223372036854775807)",
    );
}

#[test]
fn table_where_a_named_value_belongs() {
    assert_error(
        HEAD,
        "[spi.oled]\nmode = {}\n",
        ErrorKind::WrongType,
        "boards/x.toml:6:8: key `spi.oled.mode`: expected a string, found a table",
    );
    assert_error(
        HEAD,
        "[spi.oled]\nmodes = [\"mode0\", { mode3 = 1, mode1 = 2 }]\n",
        ErrorKind::WrongType,
        "boards/x.toml:6:19: key `spi.oled.modes[1]`: expected a string, found a table",
    );
    assert_error(
        HEAD,
        "[gpio.x]\nmodes = [\"output\"]\ninitial = {}\n",
        ErrorKind::WrongType,
        "boards/x.toml:7:11: key `gpio.x.initial`: expected a string, found a table",
    );
}

#[test]
fn endless_board_file_is_refused_at_the_size_bound() {
    // /dev/zero never ends: reading it whole would fill memory.
    let e = BoardFile::load("/dev/zero").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(
        e.to_string(),
        "/dev/zero: the board file is larger than 1024 KiB, the most a board file may be"
    );
}

#[test]
fn board_file_one_byte_over_the_size_bound() {
    let dir = std::env::temp_dir().join(format!("wasi-hal-board-size-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.toml");
    let valid = format!("{HEAD}[spi.oled]\nmax-frequency-hz = 1\n");
    // Padded with a comment to exactly the bound: still read and accepted.
    let bound = wasi_hal_board::MAX_BOARD_FILE_BYTES as usize;
    let mut text = valid.clone();
    text.push('#');
    text.push_str(&"x".repeat(bound - text.len()));
    std::fs::write(&path, &text).unwrap();
    assert!(BoardFile::load(&path).is_ok());
    text.push('x');
    std::fs::write(&path, &text).unwrap();
    let e = BoardFile::load(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(
        e.to_string()
            .ends_with("larger than 1024 KiB, the most a board file may be")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn board_file_that_is_not_utf8() {
    let dir = std::env::temp_dir().join(format!("wasi-hal-board-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.toml");
    std::fs::write(&path, b"[board]\nname = \"caf\xe9\"\n").unwrap();
    let e = BoardFile::load(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2:12: the board file is not valid UTF-8 text",
            path.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn transfer_cap_above_the_host_limit() {
    assert_error(
        HEAD,
        "[spi.oled]\nmax-frequency-hz = 1\nmax-transfer-bytes = 4294967295\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:7:22: key `spi.oled.max-transfer-bytes`: 4294967295 bytes is above the \
         host's limit of 16777216 bytes (16 MiB): the host allocates a call's buffers before the \
         guest receives them",
    );
    assert_error(
        HEAD,
        "[i2c.sensors]\naddresses = [0x76]\nmax-transfer-bytes = 16777217\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:7:22: key `i2c.sensors.max-transfer-bytes`: 16777217 bytes is above the \
         host's limit of 16777216 bytes (16 MiB): the host allocates a call's buffers before the \
         guest receives them",
    );
    // The limit itself is allowed.
    let file = BoardFile::parse(
        &format!("{HEAD}[spi.oled]\nmax-frequency-hz = 1\nmax-transfer-bytes = 16777216\n"),
        "boards/x.toml",
    )
    .unwrap();
    assert_eq!(file.spi["oled"].policy.max_transfer_bytes, 16 << 20);
}

#[test]
fn pwm_entries_need_a_valid_frequency_range() {
    assert_error(
        HEAD,
        "[pwm.buzzer]\nmax-frequency-hz = 5000\n",
        ErrorKind::MissingKey,
        "boards/x.toml:5:6: key `pwm.buzzer.min-frequency-hz`: missing required key: the \
         frequency range a guest may set, e.g. min-frequency-hz = 100 and max-frequency-hz = \
         10000",
    );
    assert_error(
        HEAD,
        "[pwm.buzzer]\nmin-frequency-hz = 5000\nmax-frequency-hz = 100\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:7:20: key `pwm.buzzer.max-frequency-hz`: max-frequency-hz (100) is below \
         min-frequency-hz (5000)",
    );
    assert_error(
        HEAD,
        "[pwm.buzzer]\nmin-frequency-hz = 100\nmax-frequency-hz = 5000\n\
         default-frequency-hz = 6000\n",
        ErrorKind::ImpossiblePolicy,
        "boards/x.toml:8:24: key `pwm.buzzer.default-frequency-hz`: default-frequency-hz (6000) \
         is outside 100 to 5000 Hz",
    );
    assert_error(
        LINUX_HEAD,
        "[pwm.buzzer]\nchip = \"/sys/class/pwm/pwmchip0\"\nmin-frequency-hz = 100\n\
         max-frequency-hz = 5000\n",
        ErrorKind::MissingKey,
        "boards/x.toml:5:6: key `pwm.buzzer.channel`: missing required key: a linux board maps \
         each PWM name to a sysfs chip and channel, e.g. chip = \"/sys/class/pwm/pwmchip0\" and \
         channel = 0",
    );
}

#[test]
fn a_buzzer_part_needs_one_defined_line_or_channel() {
    assert_error(
        HEAD,
        "[[part]]\nkind = \"buzzer\"\nname = \"bell\"\npwm = \"tone\"\n",
        ErrorKind::UndefinedName,
        "boards/x.toml:8:7: key `part[0].pwm`: no PWM channel named `tone` is defined (add a \
         [pwm.tone] table)",
    );
    assert_error(
        HEAD,
        "[gpio.relay]\nmodes = [\"input\"]\n\n[[part]]\nkind = \"buzzer\"\nname = \"bell\"\n\
         line = \"relay\"\n",
        ErrorKind::Wiring,
        "boards/x.toml:11:8: key `part[0].line`: GPIO `relay` must allow mode \"output\": the part \
         reads this line, so a guest must drive it",
    );
    assert_error(
        HEAD,
        "[[part]]\nkind = \"buzzer\"\nname = \"bell\"\n",
        ErrorKind::MissingKey,
        "boards/x.toml:5:1: key `part[0].line`: missing required key: the GPIO line of an \
         active buzzer (line = \"buzzer\") or the PWM channel of a passive one (pwm = \"buzzer\")",
    );
}

#[test]
fn a_sensor_entry_is_checked_for_its_board() {
    assert_error(
        LINUX_HEAD,
        "[sensor.room]\nmodel = \"dht22\"\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:1: key `sensor.room.model`: a linux board reads a real sensor: only \
         `device` applies",
    );
    assert_error(
        LINUX_HEAD,
        "[sensor.room]\n",
        ErrorKind::MissingKey,
        "boards/x.toml:5:9: key `sensor.room.device`: missing required key: the IIO device, as \
         its sysfs folder (device = \"/sys/bus/iio/devices/iio:device0\") or its driver's name \
         (device = \"dht11\")",
    );
    assert_error(
        HEAD,
        "[sensor.room]\ndevice = \"dht11\"\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:1: key `sensor.room.device`: a simulated board has no IIO devices: the \
         sensor is a simulated part (model = \"dht22\")",
    );
    assert_error(
        HEAD,
        "[sensor.room]\nhumidity-percent = 120\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:6:20: key `sensor.room.humidity-percent`: relative humidity is 0 to 100 %, \
         not 120",
    );
    assert_error(
        HEAD,
        "[sensor.room]\n\n[sensor.attic]\n",
        ErrorKind::InvalidValue,
        "boards/x.toml:7:9: key `sensor.attic`: a board offers one host-read sensor \
         (sensor:environment's `open` takes no name), and `sensor.room` is it",
    );
}
