//! Datasheet violations: vendor quirks that real parts accept, and real misuse. None of them may
//! fail the simulation; each is an inspectable warning or the error a real bus would show.

use crate::*;
use embedded_hal::i2c::Error as _;
use embedded_hal::i2c::{ErrorKind, I2c, NoAcknowledgeSource};
use wasi_hal_sim::SpiConfig;
use wasi_hal_sim::ssd1306::{
    AddressingMode, PowerOnRam, Registers, ScrollSetup, connect_reset_line,
};

fn messages(display: &Ssd1306) -> Vec<String> {
    display
        .warnings()
        .iter()
        .map(|w| w.message.clone())
        .collect()
}

#[test]
fn a_read_is_not_acknowledged_and_recorded() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.clock.advance_ns(5_000);
    let mut buf = [0u8; 2];
    let error = board
        .bus
        .read(ADDRESS, &mut buf)
        .expect_err("write-only part");
    assert_eq!(
        error.kind(),
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    );
    let error = board
        .bus
        .write_read(ADDRESS, &[0x00], &mut buf)
        .expect_err("write-only part");
    assert_eq!(
        error.kind(),
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    );
    let display = board.display();
    let warnings = display.warnings();
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::ReadAttempted, WarningKind::ReadAttempted]
    );
    assert_eq!(warnings[0].time_ns, 5_000);
    assert!(
        warnings[0].message.contains("write-only"),
        "{}",
        warnings[0]
    );
    // The bus trace shows the failed transactions too.
    let errors: Vec<Option<String>> = board
        .trace
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TraceKind::I2c { error, .. } => Some(error),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 2);
    assert!(errors.iter().all(Option::is_some));
}

#[test]
fn unknown_command_bytes_are_ignored_with_a_warning() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0xFF, 0x30, 0xA7]);
    let display = board.display();
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::UnknownCommand, WarningKind::UnknownCommand]
    );
    let messages = messages(&display);
    assert!(messages[0].contains("0xFF"), "{messages:?}");
    assert!(messages[1].contains("0x30"), "{messages:?}");
    // The parser is back in step: the next command works.
    assert!(display.registers().inverse);
}

#[test]
fn arguments_out_of_range_are_reported() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    // Multiplex ratio 6 (invalid, 16..64): unchanged.
    board.commands(&[0xA8, 0x05]);
    // Addressing mode 11b (invalid): unchanged.
    board.commands(&[0x20, 0x03]);
    // Pre-charge phase 1 of 0 (invalid): unchanged.
    board.commands(&[0xD9, 0x20]);
    // Charge pump value with wrong fixed bits: bit 2 is used.
    board.commands(&[0x8D, 0x15]);
    // Page-mode column high nibble 8 (column 128+): bit 3 ignored.
    board.commands(&[0x18]);
    // Page 8: bit 3 ignored.
    board.commands(&[0xB9]);
    // Column window backwards.
    board.commands(&[0x20, 0x00, 0x21, 9, 3]);
    let display = board.display();
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::ArgumentOutOfRange; 7],
        "{:#?}",
        display.warnings()
    );
    let r = display.registers();
    assert_eq!(r.multiplex, 64);
    assert_eq!(r.precharge, 0x22);
    assert!(r.charge_pump);
    assert_eq!(r.page, 1);
    assert_eq!(r.addressing_mode, AddressingMode::Horizontal);
    assert_eq!((r.column_start, r.column_end, r.column), (9, 3, 9));
}

#[test]
fn page_window_in_page_mode_is_accepted_with_a_warning() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x22, 2, 5]);
    board.data(&[0x81]);
    let display = board.display();
    let r = display.registers();
    assert_eq!((r.page_start, r.page_end, r.page), (2, 5, 2));
    assert_eq!(display.gddram()[ram_index(2, 0)], 0x81);
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::WrongAddressingMode]
    );
    assert!(messages(&display)[0].contains("0x22"));
}

#[test]
fn com_pins_with_the_always_one_bit_cleared_still_work() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&UPRIGHT_ON);
    board.commands(&[0xDA, 0x10]); // 0x12 with bit 1 cleared
    board.data(&[0x02]); // RAM line 1
    let display = board.display();
    assert_eq!(display.registers().com_pins, 0x10);
    assert_eq!(lit_pixels(&display.frame()), vec![(0, 1)]);
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::ArgumentOutOfRange]
    );
    assert!(messages(&display)[0].contains("bit 1"));
}

#[test]
fn more_than_1024_data_bytes_wrap_around() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x20, 0x00]);
    let mut bytes = vec![0xAA; 1024];
    bytes.extend_from_slice(&[0x55; 64]);
    board.data(&bytes);
    let display = board.display();
    let ram = display.gddram();
    assert!(ram[..64].iter().all(|&b| b == 0x55));
    assert!(ram[64..].iter().all(|&b| b == 0xAA));
    assert_eq!(warning_kinds(&display), vec![WarningKind::WindowOverrun]);
    assert!(
        messages(&display)[0].contains("1088"),
        "{:?}",
        messages(&display)
    );
}

#[test]
fn data_while_a_command_waits_for_its_argument() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x81]);
    board.data(&[0xAA]);
    board.commands(&[0x10]);
    let display = board.display();
    assert_eq!(display.registers().contrast, 0x10);
    assert_eq!(display.gddram()[ram_index(0, 0)], 0xAA);
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::DataDuringCommand]
    );
    assert!(messages(&display)[0].contains("0x81"));
}

#[test]
fn a_bad_control_byte_is_reported() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.write(&[0x01, 0xA7]); // Co = 0, D/C# = 0, but bit 0 set
    let display = board.display();
    assert!(display.registers().inverse);
    assert_eq!(warning_kinds(&display), vec![WarningKind::BadControlByte]);
}

#[test]
fn scroll_commands_are_recorded_and_checked() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    // Activation with no setup.
    board.commands(&[0x2F, 0x2E]);
    board.commands(&[0x26, 0x00, 0x01, 0x07, 0x03, 0x00, 0xFF]);
    board.commands(&[0x2F]);
    assert_eq!(
        board.display().registers().scroll.setup,
        Some(ScrollSetup::Horizontal {
            left: false,
            start_page: 1,
            end_page: 3,
            interval: 7,
        })
    );
    assert!(board.display().registers().scroll.active);
    // RAM access and a new setup while scrolling: prohibited (reported once per activation).
    board.data(&[0x01]);
    board.data(&[0x01]);
    board.commands(&[0x29, 0x00, 0x00, 0x00, 0x07, 0x05]);
    board.commands(&[0x2E]);
    assert!(!board.display().registers().scroll.active);
    // Wrong dummy bytes, end page before start page, an area larger than the mux ratio.
    board.commands(&[0x27, 0x01, 0x04, 0x00, 0x02, 0x00, 0x00]);
    board.commands(&[0xA3, 0x10, 0x40]);
    let display = board.display();
    assert_eq!(
        warning_kinds(&display),
        vec![
            WarningKind::ScrollMisuse,
            WarningKind::ScrollingActive,
            WarningKind::ScrollMisuse,
            WarningKind::ArgumentOutOfRange,
            WarningKind::ArgumentOutOfRange,
            WarningKind::ScrollMisuse,
        ],
        "{:#?}",
        display.warnings()
    );
    assert_eq!(
        display.registers().scroll.setup,
        Some(ScrollSetup::Horizontal {
            left: true,
            start_page: 4,
            end_page: 2,
            interval: 0,
        })
    );
    assert_eq!(
        (
            display.registers().scroll.fixed_rows,
            display.registers().scroll.scroll_rows
        ),
        (16, 64)
    );
}

#[test]
fn spi_clock_above_10_mhz_is_reported_once() {
    let mut board = SpiBoard::new(PanelSize::W128H64);
    board.spi.set_config(SpiConfig {
        frequency_hz: 10_000_000,
        ..SpiConfig::default()
    });
    board.commands(&[0xA7]);
    assert!(board.display().warnings().is_empty());
    board.spi.set_config(SpiConfig {
        frequency_hz: 20_000_000,
        ..SpiConfig::default()
    });
    board.commands(&[0xA6]);
    board.data(&[0x42]);
    let display = board.display();
    assert_eq!(warning_kinds(&display), vec![WarningKind::SpiClockTooFast]);
    assert!(messages(&display)[0].contains("20000000"));
    // The bytes still arrive.
    assert!(!display.registers().inverse);
    assert_eq!(display.gddram()[ram_index(0, 0)], 0x42);
}

#[test]
fn spi_mode_and_bit_order_are_checked() {
    let mut board = SpiBoard::new(PanelSize::W128H64);
    board.spi.set_config(SpiConfig {
        mode: wasi_hal_sim::SpiMode::Mode3,
        ..SpiConfig::default()
    });
    board.data(&[0x01]);
    assert!(board.display().warnings().is_empty());
    board.spi.set_config(SpiConfig {
        mode: wasi_hal_sim::SpiMode::Mode1,
        ..SpiConfig::default()
    });
    board.data(&[0x02]);
    board.spi.set_config(SpiConfig {
        lsb_first: true,
        ..SpiConfig::default()
    });
    board.data(&[0x01]); // arrives as 0x80: the SSD1306 shifts MSB first
    let display = board.display();
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::SpiFormat, WarningKind::SpiFormat]
    );
    assert_eq!(&display.gddram()[..3], &[0x01, 0x02, 0x80]);
}

#[test]
fn the_res_line_resets_registers_but_not_ram() {
    let mut board = SpiBoard::new(PanelSize::W128H64);
    board.commands(&[
        0x20, 0x00, 0xA1, 0x8D, 0x14, 0xAF, 0x81, 0x20, 0xA7, 0xD3, 0x05,
    ]);
    board.data(&[0x5A]);
    board.commands(&[0x81]); // left waiting for its argument
    assert_ne!(*board.display().registers(), Registers::default());
    board.clock.advance_ns(1_000);
    board.res.set(false);
    assert!(board.display().in_reset());
    board.clock.advance_ns(10_000);
    board.res.set(true);
    {
        let display = board.display();
        assert!(!display.in_reset());
        assert_eq!(*display.registers(), Registers::default());
        assert_eq!(display.pending_command(), None);
        // Column 0 with segment remap: segment 127.
        assert_eq!(display.gddram()[ram_index(0, 127)], 0x5A);
        assert!(display.warnings().is_empty());
    }
    // The parser starts afresh: 0xA7 is a command, not the argument of the old 0x81.
    board.commands(&[0xA7]);
    let display = board.display();
    assert!(display.registers().inverse);
    assert_eq!(display.registers().contrast, 0x7F);
}

#[test]
fn bytes_sent_during_reset_are_ignored() {
    let mut board = SpiBoard::new(PanelSize::W128H64);
    board.res.set(false);
    board.data(&[0xFF; 4]);
    board.commands(&[0xA7]);
    board.clock.advance_ns(5_000);
    board.res.set(true);
    let display = board.display();
    assert!(display.gddram().iter().all(|&b| b == 0));
    assert!(!display.registers().inverse);
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::WriteDuringReset, WarningKind::WriteDuringReset]
    );
    assert!(messages(&display)[0].contains("4 data byte(s)"));
}

#[test]
fn an_i2c_display_in_reset_does_not_acknowledge() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    let res = SimLine::new("res", true, board.clock.clone(), board.trace.clone());
    connect_reset_line(&board.display, &res);
    res.set(false);
    let error = board
        .bus
        .write(ADDRESS, &[0x00, 0xA7])
        .expect_err("held in reset");
    assert_eq!(
        error.kind(),
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    );
    board.clock.advance_ns(3_000);
    res.set(true);
    board.commands(&[0xA7]);
    let display = board.display();
    assert!(display.registers().inverse);
    assert_eq!(warning_kinds(&display), vec![WarningKind::WriteDuringReset]);
}

#[test]
fn a_short_reset_pulse_is_reported() {
    let board = SpiBoard::new(PanelSize::W128H64);
    board.clock.advance_ns(2_000);
    board.res.set(false);
    board.clock.advance_ns(1_000);
    board.res.set(true);
    let display = board.display();
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::ResetPulseTooShort]
    );
    assert_eq!(display.warnings()[0].time_ns, 3_000);
    assert!(messages(&display)[0].contains("1000 ns"));
}

#[test]
fn a_res_line_low_at_power_on_holds_the_part_in_reset() {
    let clock = SimClock::new();
    let trace = Trace::new();
    let res = SimLine::new("res", false, clock.clone(), trace.clone());
    let display = Ssd1306::new_shared(Ssd1306Config::new(PanelSize::W128H64), clock.clone());
    connect_reset_line(&display, &res);
    assert!(lock(&display).in_reset());
    clock.advance_ns(3_000);
    res.set(true);
    assert!(!lock(&display).in_reset());
    assert!(lock(&display).warnings().is_empty());
}

#[test]
fn warnings_are_capped_and_counted() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0xFF; 1500]);
    let mut display = board.display();
    assert_eq!(display.warnings().len(), 1000);
    assert_eq!(display.warnings_dropped(), 500);
    assert_eq!(display.take_warnings().len(), 1000);
    assert!(display.warnings().is_empty());
}

#[test]
fn power_on_noise_is_deterministic_and_shows_until_cleared() {
    let mut config = Ssd1306Config::new(PanelSize::W128H64);
    config.power_on_ram = PowerOnRam::Noise(7);
    let a = Ssd1306::new(config.clone(), SimClock::new());
    let b = Ssd1306::new(config, SimClock::new());
    assert_eq!(a.gddram(), b.gddram());
    let ones: u32 = a.gddram().iter().map(|b| b.count_ones()).sum();
    // Noise: roughly half the 8192 bits are set.
    assert!((3000..5200).contains(&ones), "{ones} bits set");
}

/// A small deterministic generator for the garbage test.
fn lcg(state: &mut u64) -> u8 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 56) as u8
}

#[test]
fn garbage_never_crashes_the_model() {
    let mut state = 1u64;
    let mut i2c = I2cBoard::new(PanelSize::W72H40);
    let mut spi = SpiBoard::new(PanelSize::W64H48);
    for _ in 0..2_000 {
        let len = usize::from(lcg(&mut state) % 40);
        let bytes: Vec<u8> = (0..len).map(|_| lcg(&mut state)).collect();
        let _ = i2c.bus.write(ADDRESS, &bytes); // NACKs are allowed, panics are not
        if lcg(&mut state).is_multiple_of(7) {
            let mut buf = [0u8; 3];
            let _ = i2c.bus.read(ADDRESS, &mut buf);
        }
        spi.dc.set(lcg(&mut state) & 1 == 1);
        if lcg(&mut state).is_multiple_of(50) {
            spi.res.set(false);
        }
        embedded_hal::spi::SpiDevice::write(&mut spi.spi, &bytes).expect("never fails");
        spi.res.set(true);
    }
    let frame = i2c.display().frame();
    assert_eq!((frame.width, frame.height), (72, 40));
    let frame = spi.display().frame();
    assert_eq!((frame.width, frame.height), (64, 48));
    assert!(!i2c.display().warnings().is_empty());
    assert!(!spi.display().warnings().is_empty());
}
