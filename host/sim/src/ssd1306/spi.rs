//! The SSD1306 4-wire SPI interface (datasheet section 8.1.3): SCLK, SDIN, CS#, D/C#, plus RES#.

use super::{SharedSsd1306, WarningKind};
use crate::SimLine;
use crate::spi::{SpiConfig, SpiLimits, SpiSettingProblem, SpiTarget, as_received, check_settings};

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

/// An SSD1306 behind an SPI chip select, for [`SimSpiDevice::new`](crate::SimSpiDevice::new).
///
/// - D/C# (a [`SimLine`] the driver also holds as an output pin) is sampled for each run of
///   bytes: low = commands, high = data. SPI is write-only; MISO reads back 0.
/// - RES# (optional) is wired with [`connect_reset_line`].
/// - Each transaction's bus settings are checked: clock above 10 MHz, a mode other than 0 or 3,
///   or LSB-first order are recorded as warnings (once per distinct setting). LSB-first bytes
///   arrive bit-reversed, as the SSD1306 shifts MSB first.
#[derive(Debug)]
pub struct Ssd1306Spi {
    display: SharedSsd1306,
    dc: SimLine,
    /// Settings of the current transaction.
    config: SpiConfig,
    /// The last settings that were checked, so a bad setting is reported once.
    checked: Option<SpiConfig>,
}

impl Ssd1306Spi {
    /// An SPI front end for `display` with its D/C# input on `dc` and, if given, its RES#
    /// input on `res`.
    pub fn new(display: SharedSsd1306, dc: SimLine, res: Option<&SimLine>) -> Self {
        if let Some(res) = res {
            connect_reset_line(&display, res);
        }
        Self {
            display,
            dc,
            config: SpiConfig::default(),
            checked: None,
        }
    }

    /// The controller behind this interface.
    pub fn display(&self) -> &SharedSsd1306 {
        &self.display
    }
}

impl SpiTarget for Ssd1306Spi {
    fn select(&mut self, config: &SpiConfig) {
        self.config = *config;
        if self.checked == Some(*config) {
            return;
        }
        self.checked = Some(*config);
        let mut display = self.display.lock().unwrap_or_else(|e| e.into_inner());
        let limits = SpiLimits {
            part: "SSD1306",
            max_frequency_hz: MAX_SPI_CLOCK_HZ,
            limit: "10 MHz (100 ns cycle)",
        };
        for problem in check_settings(config, &limits) {
            match problem {
                SpiSettingProblem::ClockTooFast(m) => display.warn(WarningKind::SpiClockTooFast, m),
                SpiSettingProblem::Format(m) => display.warn(WarningKind::SpiFormat, m),
            }
        }
    }

    fn exchange(&mut self, mosi: &[u8], miso: &mut [u8]) {
        miso.fill(0);
        let data = self.dc.is_high_now();
        let mut display = self.display.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = as_received(mosi, self.config.lsb_first);
        if data {
            display.write_data(&bytes);
        } else {
            display.write_commands(&bytes);
        }
    }
}
