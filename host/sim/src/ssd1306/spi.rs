//! The SSD1306 4-wire SPI interface (datasheet section 8.1.3): SCLK, SDIN, CS#, D/C#, plus RES#.

use super::{SharedSsd1306, Ssd1306, WarningKind};
use crate::SimLine;
use crate::spi::{DcController, DcSpi, SpiLimits, SpiSettingProblem};

/// Fastest SPI clock the SSD1306 accepts: serial clock cycle time >= 100 ns (Table 13-6).
pub const MAX_SPI_CLOCK_HZ: u32 = 10_000_000;

/// Wires a RES# line to the controller: while the line is low the controller is held in its
/// reset state and ignores bytes; the pulse width is checked when it goes high again. The
/// line's level now is applied at once.
pub fn connect_reset_line(display: &SharedSsd1306, res: &SimLine) {
    let since_ns = res.history().last().map_or(0, |&(time_ns, _)| time_ns);
    display
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drive_reset(res.is_high_now(), since_ns);
    let watched = display.clone();
    res.watch(Box::new(move |high, time_ns| {
        watched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drive_reset(high, time_ns);
    }));
}

/// An SSD1306 behind an SPI chip select, for [`SimSpiDevice::new`](crate::SimSpiDevice::new):
/// the [`DcSpi`] front end (D/C# sampled for each run of bytes; clock above 10 MHz, a mode other
/// than 0 or 3, or LSB-first order recorded as warnings, once per distinct setting), with RES#
/// (optional) wired by [`connect_reset_line`].
pub type Ssd1306Spi = DcSpi<Ssd1306>;

impl DcController for Ssd1306 {
    const LIMITS: SpiLimits = SpiLimits {
        part: "SSD1306",
        max_frequency_hz: MAX_SPI_CLOCK_HZ,
        limit: "10 MHz (100 ns cycle)",
    };

    fn setting_problem(&mut self, problem: SpiSettingProblem) {
        match problem {
            SpiSettingProblem::ClockTooFast(m) => self.warn(WarningKind::SpiClockTooFast, m),
            SpiSettingProblem::Format(m) => self.warn(WarningKind::SpiFormat, m),
        }
    }

    fn write_commands(&mut self, bytes: &[u8]) {
        Ssd1306::write_commands(self, bytes);
    }

    fn write_data(&mut self, bytes: &[u8]) {
        Ssd1306::write_data(self, bytes);
    }
}

impl DcSpi<Ssd1306> {
    /// An SPI front end for `display` with its D/C# input on `dc` and, if given, its RES#
    /// input on `res`.
    pub fn new(display: SharedSsd1306, dc: SimLine, res: Option<&SimLine>) -> Self {
        if let Some(res) = res {
            connect_reset_line(&display, res);
        }
        DcSpi::with_dc(display, dc)
    }
}
