//! The same driver and app code as the components, compiled natively against the same
//! simulated parts: `ssd1306-core` over the simulated SPI device and D/C line of a board, and
//! pacman's game and drawing over `display-graphics`.

use anyhow::{Result, anyhow};
use display_graphics::{Area, GraphicsDisplay, PanelInfo, PixelFormat, PixelSink};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::Size;
use embedded_hal::digital::OutputPin;
use embedded_hal::spi::SpiDevice;
use pacman::game::{Game, Input};
use pacman::maze::Maze;
use pacman::render::{self, Layout};
use ssd1306_core::{DisplayDevice, PanelSize, Rect, SpiInterface, Ssd1306, mono1};
use wasi_hal_board::Board;
use wasi_hal_sim::{SimLine, SimSpiDevice};

/// The two frames the `flush-app` guest alternates between: every byte of GDDRAM changes from
/// one to the other.
pub fn flush_frames(width: u32, height: u32) -> [Vec<u8>; 2] {
    let pattern = |x: u32, y: u32| (x + y).is_multiple_of(3);
    // The same packing as the `flush-app` guest: display:pixels' mono1.
    [
        mono1::pack(width, height, pattern),
        mono1::pack(width, height, |x, y| !pattern(x, y)),
    ]
}

/// An SSD1306 driven natively by `ssd1306-core`, as the `ssd1306-spi` component drives it.
pub type NativeSsd1306 = Ssd1306<SpiInterface<SimSpiDevice, SimLine>>;

/// `ssd1306-core` on the board's SPI device `spi` with D/C on `dc`, initialised; with the
/// board's RES# line `res` (if any) driven high first, so the controller listens.
pub fn ssd1306(
    board: &Board,
    spi: &str,
    dc: &str,
    res: Option<&str>,
    panel: PanelSize,
    frequency_hz: u32,
) -> Result<NativeSsd1306> {
    let (mut device, dc) = crate::sim_spi(board, spi, dc)?;
    if let Some(res) = res {
        let mut line = board
            .simulated()
            .and_then(|sim| sim.line(res))
            .ok_or_else(|| anyhow!("the board has no line {res}"))?;
        line.set_high().map_err(|e| anyhow!("{e:?}"))?;
    }
    device.set_config(wasi_hal_sim::SpiConfig {
        frequency_hz,
        ..device.config()
    });
    let mut display = Ssd1306::new(SpiInterface::new(device, dc), panel);
    display.init().map_err(|e| anyhow!("init: {e:?}"))?;
    Ok(display)
}

/// `ssd1306-core` on the full-frame benchmarks' 128x64 SPI board at 10 MHz (display
/// `display`, D/C# `display-dc`, no reset line), initialised.
fn spi_128x64(board: &Board) -> Result<NativeSsd1306> {
    ssd1306(
        board,
        "display",
        "display-dc",
        None,
        PanelSize::W128H64,
        10_000_000,
    )
}

/// The full-frame flush natively: the `flush-app` guest's loop with `ssd1306-core` called
/// directly.
pub struct NativeFlush {
    display: NativeSsd1306,
    area: Rect,
    frames: [Vec<u8>; 2],
    next: usize,
}

impl NativeFlush {
    /// On the 128x64 SPI board at 10 MHz.
    pub fn new(board: &Board) -> Result<NativeFlush> {
        let display = spi_128x64(board)?;
        Ok(NativeFlush {
            display,
            area: Rect::new(0, 0, 128, 64),
            frames: flush_frames(128, 64),
            next: 0,
        })
    }

    /// Presents `n` full frames.
    pub fn frames(&mut self, n: u32) -> Result<()> {
        for _ in 0..n {
            self.display
                .present_region(self.area, &self.frames[self.next])
                .map_err(|e| anyhow!("present-region: {e:?}"))?;
            self.next ^= 1;
        }
        Ok(())
    }
}

/// The simulated panel alone: the bytes of full-frame flushes as the driver sends them (the
/// 1024 data bytes with D/C high; once in [`ssd1306_core::RESYNC_PRESENTATIONS`] frames the
/// window commands first, with D/C low) written straight to the simulated SPI device. What a
/// flush costs that the wire, not the CPU, pays on real hardware.
pub struct PanelOnly {
    device: SimSpiDevice,
    dc: SimLine,
    window: [u8; 6],
    data: [Vec<u8>; 2],
    next: usize,
    /// Frames since the window commands were last sent.
    since_window: u32,
    /// Whether D/C# is high (data).
    dc_high: bool,
}

impl PanelOnly {
    /// On the 128x64 SPI board at 10 MHz, after a native initialisation.
    pub fn new(board: &Board) -> Result<PanelOnly> {
        // Initialise the controller (and so the model's registers) as the driver does.
        let (device, dc) = spi_128x64(board)?.release().release();
        let gddram = |lit: &dyn Fn(u32, u32) -> bool| {
            let mut out = vec![0u8; 1024];
            for page in 0..8u32 {
                for x in 0..128u32 {
                    let mut byte = 0u8;
                    for bit in 0..8 {
                        if lit(x, page * 8 + bit) {
                            byte |= 1 << bit;
                        }
                    }
                    out[(page * 128 + x) as usize] = byte;
                }
            }
            out
        };
        let pattern = |x: u32, y: u32| (x + y).is_multiple_of(3);
        Ok(PanelOnly {
            device,
            dc,
            window: [0x21, 0, 127, 0x22, 0, 7],
            data: [gddram(&pattern), gddram(&|x, y| !pattern(x, y))],
            next: 0,
            // `init` left the pointer at the start of the full window.
            since_window: 0,
            // `init` ended with a command (display on): D/C# is low.
            dc_high: false,
        })
    }

    /// Sends `n` full frames' bytes.
    pub fn frames(&mut self, n: u32) -> Result<()> {
        let e = |e: &dyn std::fmt::Debug| anyhow!("{e:?}");
        for _ in 0..n {
            self.since_window += 1;
            if self.since_window == ssd1306_core::RESYNC_PRESENTATIONS {
                self.since_window = 0;
                self.dc.set_low().map_err(|x| e(&x))?;
                self.dc_high = false;
                self.device.write(&self.window).map_err(|x| e(&x))?;
            }
            // Like the driver, drive D/C# only when it changes.
            if !self.dc_high {
                self.dc.set_high().map_err(|x| e(&x))?;
                self.dc_high = true;
            }
            self.device
                .write(&self.data[self.next])
                .map_err(|x| e(&x))?;
            self.next ^= 1;
        }
        Ok(())
    }
}

/// `display-graphics`' panel over a native `ssd1306-core`.
struct NativePanel(NativeSsd1306);

impl PixelSink for NativePanel {
    type Error = ssd1306_core::Error;

    fn info(&self) -> PanelInfo {
        let panel = self.0.panel();
        PanelInfo {
            width: panel.width().into(),
            height: panel.height().into(),
            format: PixelFormat::Mono1,
        }
    }

    fn present_region(&mut self, area: Area, pixels: &[u8]) -> Result<(), Self::Error> {
        self.0
            .present_region(Rect::new(area.x, area.y, area.width, area.height), pixels)
    }
}

/// Pacman's game and drawing natively, presenting through `ssd1306-core` to the simulated
/// Pmod OLED: the component's main loop without the component (and without pacing: frames
/// follow each other at once, as in simulated time).
pub struct NativePacman {
    game: Game,
    layout: Layout,
    display: GraphicsDisplay<NativePanel, BinaryColor>,
}

impl NativePacman {
    /// On the Pmod OLED board (128x32 over SPI at 8 MHz), seed 1 as the app's default.
    pub fn new(board: &Board) -> Result<NativePacman> {
        let controller = ssd1306(
            board,
            "oled",
            "oled-dc",
            Some("oled-res"),
            PanelSize::W128H32,
            8_000_000,
        )?;
        let display = GraphicsDisplay::new(NativePanel(controller)).map_err(|e| anyhow!("{e}"))?;
        let info = display.info();
        let maze = Maze::for_display(info.width, info.height)
            .ok_or_else(|| anyhow!("no maze fits {}x{}", info.width, info.height))?;
        let layout = Layout::new(Size::new(info.width, info.height), &maze);
        Ok(NativePacman {
            game: Game::new(maze, 1),
            layout,
            display,
        })
    }

    /// Plays `n` frames.
    pub fn frames(&mut self, n: u64) -> Result<()> {
        for _ in 0..n {
            self.game.step(Input::default());
            let Ok(()) = render::draw(&self.game, &self.layout, &mut self.display);
            self.display.flush().map_err(|e| anyhow!("flush: {e:?}"))?;
        }
        Ok(())
    }
}
