//! Raw command and data streams over I2C and SPI.

use crate::*;
use embedded_hal::i2c::{I2c, Operation};
use wasi_hal_sim::ssd1306::{AddressingMode, Registers, ScrollState};

/// The GDDRAM bytes that are not zero, as `((page, segment), byte)`.
fn nonzero_ram(display: &Ssd1306) -> Vec<((usize, usize), u8)> {
    display
        .gddram()
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b != 0)
        .map(|(i, &b)| ((i / 128, i % 128), b))
        .collect()
}

#[test]
fn reset_state_matches_the_datasheet() {
    let board = I2cBoard::new(PanelSize::W128H64);
    let display = board.display();
    // Datasheet section 8.8 and the reset values of Table 9-1.
    let expected = Registers {
        addressing_mode: AddressingMode::Page,
        column_start: 0,
        column_end: 127,
        page_start: 0,
        page_end: 7,
        column: 0,
        page: 0,
        contrast: 0x7F,
        display_on: false,
        inverse: false,
        entire_display_on: false,
        segment_remap: false,
        com_scan_reversed: false,
        multiplex: 64,
        display_offset: 0,
        start_line: 0,
        com_pins: 0x12,
        clock_divide: 0x80,
        precharge: 0x22,
        vcomh: 0x20,
        charge_pump: false,
        iref: 0x00,
        scroll: ScrollState {
            setup: None,
            active: false,
            fixed_rows: 0,
            scroll_rows: 64,
        },
    };
    assert_eq!(*display.registers(), expected);
    assert_eq!(display.pending_command(), None);
    assert!(!display.in_reset());
    assert!(display.gddram().iter().all(|&b| b == 0));
    let frame = display.frame();
    assert_eq!((frame.width, frame.height), (128, 64));
    assert!(lit_pixels(&frame).is_empty());
    assert!(display.warnings().is_empty());
}

#[test]
fn horizontal_mode_walks_the_window_and_wraps() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    // Horizontal mode, columns 10..=12, pages 2..=3: a window of 6 bytes.
    board.commands(&[0x20, 0x00, 0x21, 10, 12, 0x22, 2, 3]);
    board.data(&[1, 2, 3, 4, 5, 6]);
    {
        let display = board.display();
        assert_eq!(
            nonzero_ram(&display),
            vec![
                ((2, 10), 1),
                ((2, 11), 2),
                ((2, 12), 3),
                ((3, 10), 4),
                ((3, 11), 5),
                ((3, 12), 6),
            ]
        );
        // After the last byte of the window the pointer is back at its start.
        assert_eq!(
            (display.registers().column, display.registers().page),
            (10, 2)
        );
        assert!(display.warnings().is_empty());
    }
    // A transfer of the whole window again rewrites it from the start: a new pass, no warning.
    board.data(&[11, 12, 13, 14, 15, 16]);
    {
        let display = board.display();
        assert_eq!(display.gddram()[ram_index(2, 10)], 11);
        assert_eq!(display.gddram()[ram_index(3, 12)], 16);
        assert!(display.warnings().is_empty());
    }
    // A 7th byte of that pass wraps around and overwrites its first.
    board.data(&[7]);
    let display = board.display();
    assert_eq!(display.gddram()[ram_index(2, 10)], 7);
    assert_eq!(warning_kinds(&display), vec![WarningKind::WindowOverrun]);
}

#[test]
fn vertical_mode_walks_pages_first() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x20, 0x01, 0x21, 5, 6, 0x22, 6, 7]);
    board.data(&[1, 2, 3, 4]);
    {
        let display = board.display();
        assert_eq!(
            nonzero_ram(&display),
            vec![((6, 5), 1), ((6, 6), 3), ((7, 5), 2), ((7, 6), 4)]
        );
        assert_eq!(
            (display.registers().column, display.registers().page),
            (5, 6)
        );
        assert!(display.warnings().is_empty());
    }
    board.data(&[5]);
    let display = board.display();
    assert_eq!(display.gddram()[ram_index(6, 5)], 5);
    assert_eq!(warning_kinds(&display), vec![WarningKind::WindowOverrun]);
}

#[test]
fn page_mode_wraps_within_the_page() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    // Page mode is the reset mode. Page 3, column 0x7E via the two nibble commands.
    board.commands(&[0xB3, 0x0E, 0x17]);
    let pointer = {
        let display = board.display();
        (display.registers().column, display.registers().page)
    };
    assert_eq!(pointer, (126, 3));
    board.data(&[1, 2, 3, 4]);
    let display = board.display();
    assert_eq!(
        nonzero_ram(&display),
        vec![((3, 0), 3), ((3, 1), 4), ((3, 126), 1), ((3, 127), 2)]
    );
    assert_eq!(
        (display.registers().column, display.registers().page),
        (2, 3)
    );
    assert!(display.warnings().is_empty());
}

#[test]
fn page_mode_column_wraps_at_the_column_window() {
    // Datasheet 10.1.3: in page mode the column pointer is reset to the column start address
    // when it reaches the column end address; the window comes from 0x21.
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x20, 0x00, 0x21, 4, 5, 0x20, 0x02, 0xB1, 0x04, 0x10]);
    board.data(&[1, 2, 3]);
    let display = board.display();
    assert_eq!(nonzero_ram(&display), vec![((1, 4), 3), ((1, 5), 2)]);
    assert_eq!(warning_kinds(&display), vec![WarningKind::WindowOverrun]);
}

#[test]
fn command_arguments_may_be_split_across_writes() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x81]);
    assert_eq!(board.display().pending_command(), Some(0x81));
    assert_eq!(board.display().registers().contrast, 0x7F);
    board.commands(&[0x3C]);
    assert_eq!(board.display().pending_command(), None);
    assert_eq!(board.display().registers().contrast, 0x3C);

    // A three-byte command in three messages, then a seven-byte one byte by byte.
    board.commands(&[0x20, 0x00]);
    board.commands(&[0x21]);
    board.commands(&[5]);
    board.commands(&[9]);
    for byte in [0x27, 0x00, 0x02, 0x05, 0x06, 0x00, 0xFF] {
        board.commands(&[byte]);
    }
    let display = board.display();
    assert_eq!(display.registers().column_start, 5);
    assert_eq!(display.registers().column_end, 9);
    assert_eq!(
        display.registers().scroll.setup,
        Some(wasi_hal_sim::ssd1306::ScrollSetup::Horizontal {
            left: true,
            start_page: 2,
            end_page: 6,
            interval: 5,
        })
    );
    assert!(display.warnings().is_empty());
}

#[test]
fn command_arguments_may_be_split_across_spi_transactions() {
    let mut board = SpiBoard::new(PanelSize::W128H64);
    board.commands(&[0xA8]);
    board.data(&[0xAB]); // data in between: written to RAM, the command keeps waiting
    board.commands(&[0x1F]);
    let display = board.display();
    assert_eq!(display.registers().multiplex, 32);
    assert_eq!(display.gddram()[ram_index(0, 0)], 0xAB);
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::DataDuringCommand]
    );
}

#[test]
fn co_bit_control_bytes_carry_one_byte_each() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    // 0x80: one command; 0xC0: one data byte; 0x40 (Co = 0): data up to the STOP.
    board.write(&[0x80, 0xA7, 0xC0, 0x55, 0x80, 0xB2, 0x40, 0x01, 0x02]);
    {
        let display = board.display();
        assert!(display.registers().inverse);
        assert_eq!(
            nonzero_ram(&display),
            vec![((0, 0), 0x55), ((2, 1), 0x01), ((2, 2), 0x02)]
        );
    }
    // A command's argument in its own Co = 1 message part, then a Co = 0 command stream.
    board.write(&[0x80, 0x8D, 0x80, 0x14, 0x00, 0xAF, 0x81, 0x10]);
    let display = board.display();
    assert!(display.registers().charge_pump);
    assert!(display.registers().display_on);
    assert_eq!(display.registers().contrast, 0x10);
    assert!(display.warnings().is_empty());
}

#[test]
fn adjacent_write_operations_are_one_message() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    // embedded-hal: adjacent writes go out with no repeated START, so the second part
    // continues the data stream that the first part's control byte opened.
    board
        .bus
        .transaction(
            ADDRESS,
            &mut [Operation::Write(&[0x40]), Operation::Write(&[0xAA, 0xBB])],
        )
        .expect("acknowledged");
    // The next message starts with a control byte again.
    board.write(&[0x00, 0xA7]);
    let display = board.display();
    assert_eq!(nonzero_ram(&display), vec![((0, 0), 0xAA), ((0, 1), 0xBB)]);
    assert!(display.registers().inverse);
    assert!(display.warnings().is_empty());
}

#[test]
fn segment_remap_applies_to_data_written_after_it() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x8D, 0x14, 0xC8, 0xAF, 0xA1]);
    board.data(&[0x01]); // column 0, remapped: segment 127
    board.commands(&[0xA0]);
    board.data(&[0x01]); // column 1, not remapped: segment 1
    let display = board.display();
    assert_eq!(
        nonzero_ram(&display),
        vec![((0, 1), 0x01), ((0, 127), 0x01)]
    );
    // The glass shows segment 127 at the left (x = 0) and segment 1 at x = 126; switching
    // 0xA0 did not move what was already written.
    assert_eq!(lit_pixels(&display.frame()), vec![(0, 0), (126, 0)]);
}

#[test]
fn com_scan_direction_flips_the_image_at_once() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x8D, 0x14, 0xA1, 0xAF]);
    board.data(&[0x01]); // RAM line 0, leftmost pixel column
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 63)]);
    board.commands(&[0xC8]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 0)]);
    board.commands(&[0xC0]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 63)]);
}

#[test]
fn power_on_orientation_is_rotated_by_180_degrees() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x8D, 0x14, 0xAF]);
    board.data(&[0x01]); // column 0, page 0, bit 0
    let frame = board.display().frame();
    assert_eq!(lit_pixels(&frame), vec![(127, 63)]);
    assert_eq!(frame.pixel(127, 63), Some(GREY_7F));
}

#[test]
fn start_line_and_display_offset_move_rows_up() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&UPRIGHT_ON);
    board.data(&[0x01]); // RAM line 0 at (0, 0)
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 0)]);
    // Start line 1: RAM line 1 is the top row; line 0 is the last of the 64 rows.
    board.commands(&[0x41]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 63)]);
    // Start line 8: line 0 is scan row 56.
    board.commands(&[0x48]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 56)]);
    // Offset 1 with start line 0 moves the image up by one row too.
    board.commands(&[0x40, 0xD3, 0x01]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 63)]);
    assert!(board.display().warnings().is_empty());
}

/// Rows that show anything when the whole RAM is 0xFF.
fn lit_rows(frame: &Frame) -> Vec<u32> {
    let pixels = lit_pixels(frame);
    let mut rows: Vec<u32> = pixels.iter().map(|&(_, y)| y).collect();
    rows.dedup();
    for &row in &rows {
        assert_eq!(
            pixels.iter().filter(|&&(_, y)| y == row).count(),
            frame.width as usize,
            "row {row} is lit in full"
        );
    }
    rows
}

#[test]
fn multiplex_and_offset_leave_unscanned_rows_dark() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0x20, 0x00, 0x8D, 0x14, 0xAF]);
    board.data(&[0xFF; 1024]);
    assert_eq!(
        lit_rows(&board.display().frame()),
        (0..64).collect::<Vec<_>>()
    );
    // Datasheet Table 10-1, mux 48, offset 8, normal scan (0xC0): COM0..39 show rows 8..47,
    // COM56..63 rows 0..7 and COM40..55 nothing. This panel's top row is COM63 (power-on
    // orientation is upside down), so glass row y is COM 63 - y: rows 8..=23 are dark.
    board.commands(&[0xA8, 0x2F, 0xD3, 0x08]);
    let expected: Vec<u32> = (0..8).chain(24..64).collect();
    assert_eq!(lit_rows(&board.display().frame()), expected);
    // Reversed scan (0xC8): COM scan row r is COM (47 - (r - 8)) mod 64, so the scanned rows
    // 0..47 land on COM 55 down to 8, which are glass rows 8..=55.
    board.commands(&[0xC8]);
    assert_eq!(
        lit_rows(&board.display().frame()),
        (8..56).collect::<Vec<_>>()
    );
    // A multiplex ratio of 32 with no offset on the 64-row glass: with 0xC8, scan rows 0..31
    // drive COM31..COM0, the lower half of the glass.
    board.commands(&[0xA8, 0x1F, 0xD3, 0x00]);
    assert_eq!(
        lit_rows(&board.display().frame()),
        (32..64).collect::<Vec<_>>()
    );
    assert!(board.display().warnings().is_empty());
}

#[test]
fn inverse_entire_display_on_and_display_off() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&UPRIGHT_ON);
    board.data(&[0x01]);
    board.commands(&[0xA7]);
    let frame = board.display().frame();
    assert_eq!(frame.pixel(0, 0), Some([0, 0, 0]));
    assert_eq!(lit_pixels(&frame).len(), 128 * 64 - 1);
    assert_eq!(frame.pixel(1, 0), Some(GREY_7F));

    // 0xA5 lights every pixel whatever the RAM and the inverse setting.
    board.commands(&[0xA5]);
    assert_eq!(lit_pixels(&board.display().frame()).len(), 128 * 64);
    // ... but only on scanned rows (mux 32: lower half, see the test above).
    board.commands(&[0xA8, 0x1F]);
    assert_eq!(
        lit_rows(&board.display().frame()),
        (32..64).collect::<Vec<_>>()
    );
    board.commands(&[0xA8, 0x3F, 0xA4, 0xA6]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 0)]);
    board.commands(&[0xAE]);
    assert!(lit_pixels(&board.display().frame()).is_empty());
    board.commands(&[0xAF]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 0)]);
    assert!(board.display().warnings().is_empty());
}

#[test]
fn the_glass_needs_the_charge_pump_unless_vcc_is_external() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&[0xA1, 0xC8]);
    board.data(&[0x01]);
    board.commands(&[0xAF]);
    {
        let display = board.display();
        assert!(display.registers().display_on);
        assert!(!display.is_lit());
        assert!(lit_pixels(&display.frame()).is_empty());
        assert_eq!(warning_kinds(&display), vec![WarningKind::NoPanelSupply]);
    }
    board.commands(&[0x8D, 0x14]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 0)]);

    let mut config = Ssd1306Config::new(PanelSize::W128H32);
    config.external_vcc = true;
    let mut board = I2cBoard::with_config(config);
    board.commands(&[0xA1, 0xC8, 0xA8, 0x1F, 0xDA, 0x02, 0xAF]);
    board.data(&[0x01]);
    let display = board.display();
    assert_eq!(lit_pixels(&display.frame()), vec![(0, 0)]);
    assert!(display.warnings().is_empty());
}

#[test]
fn contrast_scales_the_lit_colour() {
    let mut config = Ssd1306Config::new(PanelSize::W128H64);
    config.lit_rgb = [255, 200, 0];
    let mut board = I2cBoard::with_config(config);
    board.commands(&UPRIGHT_ON);
    board.data(&[0x01]);
    // Lit level = colour * sqrt((contrast + 1) / 256), rounded.
    // 0x7F (reset): 255 * 0.7071 = 180.3, 200 * 0.7071 = 141.4.
    assert_eq!(board.display().frame().pixel(0, 0), Some([180, 141, 0]));
    board.commands(&[0x81, 0xFF]);
    assert_eq!(board.display().frame().pixel(0, 0), Some([255, 200, 0]));
    // 0x00: 255 / 16 = 15.9, 200 / 16 = 12.5.
    board.commands(&[0x81, 0x00]);
    assert_eq!(board.display().frame().pixel(0, 0), Some([16, 13, 0]));
    board.display().set_lit_rgb([0, 0, 255]);
    assert_eq!(board.display().frame().pixel(0, 0), Some([0, 0, 16]));
}

#[test]
fn wrong_com_pins_configuration_interleaves_rows() {
    let mut board = I2cBoard::new(PanelSize::W128H64);
    board.commands(&UPRIGHT_ON);
    // The 128x64 glass alternates between the two halves of the COM pads row by row (it is
    // wired for the alternative configuration 0x12). Sequential 0x02 puts scan rows 0..31 on
    // one half and 32..63 on the other, so the glass shows RAM lines 0, 32, 1, 33, ...
    board.commands(&[0xDA, 0x02]);
    board.data(&[0x02]); // column 0 (x = 0): RAM line 1
    board.commands(&[0xB4, 0x01, 0x10]);
    board.data(&[0x01]); // page 4, column 1 (x = 1): RAM line 32
    assert_eq!(lit_pixels(&board.display().frame()), vec![(1, 1), (0, 2)]);
    board.commands(&[0xDA, 0x12]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 1), (1, 32)]);
    // Left/right remap (0x32) swaps the halves: lines 1, 0, 3, 2, ...
    board.commands(&[0xDA, 0x32]);
    assert_eq!(lit_pixels(&board.display().frame()), vec![(0, 0), (1, 33)]);
    assert!(board.display().warnings().is_empty());
}

#[test]
fn each_panel_shows_its_window_of_the_ram() {
    // (panel, size, column address of the leftmost pixel = the ssd1306 crate's OFFSETX,
    //  0xA8 argument, 0xDA argument)
    let panels = [
        (PanelSize::W128H64, (128, 64), 0, 0x3F, 0x12),
        (PanelSize::W128H32, (128, 32), 0, 0x1F, 0x02),
        (PanelSize::W96H16, (96, 16), 0, 0x0F, 0x02),
        (PanelSize::W72H40, (72, 40), 28, 0x27, 0x12),
        (PanelSize::W64H48, (64, 48), 32, 0x2F, 0x12),
        (PanelSize::W64H32, (64, 32), 32, 0x1F, 0x12),
    ];
    for (panel, (width, height), offset, mux, pins) in panels {
        let mut board = I2cBoard::new(panel);
        board.commands(&UPRIGHT_ON);
        board.commands(&[0xA8, mux, 0xDA, pins, 0x20, 0x00]);
        // Top-left pixel: column `offset`, page 0, bit 0.
        board.commands(&[0x21, offset, offset, 0x22, 0, 0]);
        board.data(&[0x01]);
        // Bottom-right pixel: last column, last page, bit 7.
        let last_column = offset + width - 1;
        let last_page = height / 8 - 1;
        board.commands(&[0x21, last_column, last_column, 0x22, last_page, last_page]);
        board.data(&[0x80]);
        // Just outside, left and right: not on the glass.
        if offset > 0 {
            board.commands(&[0x21, offset - 1, offset - 1, 0x22, 0, 7]);
            board.data(&[0xFF; 8]);
        }
        if last_column < 127 {
            board.commands(&[0x21, last_column + 1, last_column + 1, 0x22, 0, 7]);
            board.data(&[0xFF; 8]);
        }
        let display = board.display();
        let frame = display.frame();
        assert_eq!(
            (frame.width, frame.height),
            (u32::from(width), u32::from(height)),
            "{panel:?}"
        );
        assert_eq!(
            lit_pixels(&frame),
            vec![(0, 0), (u32::from(width) - 1, u32::from(height) - 1)],
            "{panel:?}\n{}",
            ascii(&frame)
        );
        assert!(display.warnings().is_empty(), "{panel:?}");
    }
}

#[test]
fn render_into_reuses_and_resizes_a_frame() {
    let mut board = I2cBoard::new(PanelSize::W96H16);
    board.commands(&UPRIGHT_ON);
    board.commands(&[0xA8, 0x0F, 0xDA, 0x02]);
    board.data(&[0x01]);
    let mut frame = Frame::black(3, 3);
    frame.rgb.fill(7);
    board.display().render_into(&mut frame);
    assert_eq!(frame, board.display().frame());
    assert_eq!((frame.width, frame.height), (96, 16));
    assert_eq!(lit_pixels(&frame), vec![(0, 0)]);
}
