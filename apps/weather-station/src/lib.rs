//! A weather station, as a `wasi:cli/run` component: it reads `sensor:environment` and draws the
//! readings and a temperature trend on `display:pixels`.
//!
//! The screen ([`Screen`]), the trend buffer ([`Trend`]) and the arguments ([`args`]) are plain
//! Rust, tested natively with `cargo test -p weather-station`; the component's main loop
//! (`src/component.rs`) opens the sensor and the display and takes one measurement per frame,
//! paced with `wasi:delay`. A sensor that cannot be opened or fails a measurement is shown on
//! the screen, and tried again next frame: the app does not stop.

use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::ascii::{FONT_4X6, FONT_5X8};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Line, PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Baseline, Text};
use std::collections::VecDeque;

pub mod args;

/// One measurement (the WIT `measurement`): absent quantities are `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
    /// Degrees Celsius.
    pub temperature_celsius: Option<f64>,
    /// Pascals.
    pub pressure_pa: Option<f64>,
    /// Percent relative humidity.
    pub humidity_percent: Option<f64>,
    /// Ohms.
    pub gas_resistance_ohm: Option<f64>,
}

/// The last `capacity` temperatures, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    capacity: usize,
    values: VecDeque<f64>,
}

impl Trend {
    /// The smallest span of the graph's vertical axis, in degrees: smaller changes stay flat.
    pub const MIN_SPAN: f64 = 1.0;

    /// An empty trend keeping `capacity` samples (at least 2).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(2);
        Self {
            capacity,
            values: VecDeque::with_capacity(capacity),
        }
    }

    /// Adds a sample, dropping the oldest when full.
    pub fn push(&mut self, value: f64) {
        if self.values.len() == self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(value);
    }

    /// The samples, oldest first.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.values.iter().copied()
    }

    /// Lowest and highest sample, `None` when empty.
    pub fn range(&self) -> Option<(f64, f64)> {
        let mut values = self.values();
        let first = values.next()?;
        Some(values.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    /// The samples as points in `area`, one pixel column per sample ending at the right edge, the
    /// lowest sample at the bottom and the highest at the top (over at least
    /// [`MIN_SPAN`](Self::MIN_SPAN) degrees, centred).
    pub fn points(&self, area: Rectangle) -> Vec<Point> {
        let Some((lo, hi)) = self.range() else {
            return Vec::new();
        };
        let span = (hi - lo).max(Self::MIN_SPAN);
        let bottom = (lo + hi) / 2.0 - span / 2.0;
        let height = area.size.height.saturating_sub(1) as f64;
        let width = area.size.width as usize;
        let skip = self.values.len().saturating_sub(width);
        let shown = self.values.len() - skip;
        let left = area.top_left.x + (width - shown) as i32;
        self.values()
            .skip(skip)
            .enumerate()
            .map(|(i, v)| {
                let up = ((v - bottom) / span * height).round() as i32;
                Point::new(left + i as i32, area.top_left.y + height as i32 - up)
            })
            .collect()
    }
}

/// What the screen shows besides the trend.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Nothing measured yet.
    Starting,
    /// The latest measurement.
    Reading(Reading),
    /// The sensor failed (its error code, e.g. `timeout`); retried next frame.
    SensorError(String),
}

/// The weather station's screen for a display of a given size.
#[derive(Clone, Debug, PartialEq)]
pub struct Screen {
    size: Size,
    /// Temperatures for the graph.
    pub trend: Trend,
    /// What the text shows.
    pub status: Status,
}

impl Screen {
    /// A screen for a `size` display: on one 64 pixels high or more, four lines of text above a
    /// graph the full width; on a smaller one, the text at the left and the graph at the right.
    pub fn new(size: Size) -> Self {
        let screen = Self {
            size,
            trend: Trend::new(2),
            status: Status::Starting,
        };
        let capacity = screen.graph_area().size.width as usize;
        Self {
            trend: Trend::new(capacity),
            ..screen
        }
    }

    /// Records a measurement: shown as text, and its temperature added to the trend.
    pub fn record(&mut self, reading: Reading) {
        if let Some(t) = reading.temperature_celsius {
            self.trend.push(t);
        }
        self.status = Status::Reading(reading);
    }

    /// Records a sensor failure (the readings so far stay in the trend).
    pub fn record_error(&mut self, code: &str) {
        self.status = Status::SensorError(code.to_string());
    }

    fn tall(&self) -> bool {
        self.size.height >= 64
    }

    /// Where the graph goes (inside its frame).
    pub fn graph_area(&self) -> Rectangle {
        let frame = self.graph_frame();
        Rectangle::new(
            frame.top_left + Point::new(1, 1),
            frame.size.saturating_sub(Size::new(2, 2)),
        )
    }

    fn graph_frame(&self) -> Rectangle {
        let (w, h) = (self.size.width, self.size.height);
        if self.tall() {
            Rectangle::new(Point::new(0, 34), Size::new(w, h - 34))
        } else {
            Rectangle::new(Point::new((w / 2) as i32, 0), Size::new(w - w / 2, h))
        }
    }

    /// The text lines.
    pub fn lines(&self) -> Vec<String> {
        let wide = self.tall();
        match &self.status {
            Status::Starting => vec!["measuring...".into()],
            Status::SensorError(code) => {
                vec!["sensor error".into(), code.clone(), "retrying".into()]
            }
            Status::Reading(r) => {
                let show = |value: Option<f64>, format: &dyn Fn(f64) -> String| {
                    value.map_or_else(|| "--".to_string(), format)
                };
                vec![
                    format!("T {}", show(r.temperature_celsius, &|t| format!("{t:.1}C"))),
                    format!(
                        "P {}",
                        show(r.pressure_pa, &|p| if wide {
                            format!("{:.1}hPa", p / 100.0)
                        } else {
                            format!("{:.0}hPa", p / 100.0)
                        })
                    ),
                    format!("H {}", show(r.humidity_percent, &|h| format!("{h:.1}%"))),
                    format!(
                        "G {}",
                        show(r.gas_resistance_ohm, &|g| format!("{:.1}k", g / 1000.0))
                    ),
                ]
            }
        }
    }

    /// Draws the screen.
    pub fn draw<D>(&self, target: &mut D) -> Result<(), D::Error>
    where
        D: DrawTarget<Color = BinaryColor>,
    {
        target.clear(BinaryColor::Off)?;
        let style = if self.tall() {
            MonoTextStyle::new(&FONT_5X8, BinaryColor::On)
        } else {
            MonoTextStyle::new(&FONT_4X6, BinaryColor::On)
        };
        for (i, line) in self.lines().iter().enumerate() {
            Text::with_baseline(line, Point::new(0, i as i32 * 8), style, Baseline::Top)
                .draw(target)?;
        }
        self.graph_frame()
            .into_styled(PrimitiveStyle::with_stroke(BinaryColor::On, 1))
            .draw(target)?;
        let points = self.trend.points(self.graph_area());
        let line = PrimitiveStyle::with_stroke(BinaryColor::On, 1);
        match points.as_slice() {
            [] => {}
            [only] => Pixel(*only, BinaryColor::On).draw(target)?,
            _ => {
                for pair in points.windows(2) {
                    Line::new(pair[0], pair[1]).into_styled(line).draw(target)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
