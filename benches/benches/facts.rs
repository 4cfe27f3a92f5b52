//! What is counted rather than timed: the size of every driver, app and composition, and the
//! bus transactions of a frame for each display driver (and of one reading for the BME680).
//! These are deterministic, so they are the same on every machine; `cargo xtask bench` puts
//! them in `docs/performance.md` from `target/wasi-hal/bench/facts.json`.

use anyhow::{Context, Result};
use serde_json::{Value, json};
use test_programs_artifacts::*;
use wasi_hal_benches::{
    Composition, FlushGuest, I2C_128X64_BOARD, PMOD_OLED_BOARD, PacmanPre, SPI_128X64_BOARD,
    engine, out_dir,
};
use wasi_hal_sim::trace::TraceOp;
use wasi_hal_sim::{TraceEvent, TraceKind};
use wasmtime::component::Component;

/// Frames the per-frame counts are averaged over: one period of the drivers' window resync, so
/// that the average includes its one window in that many frames.
const FRAMES: u32 = ssd1306_core::RESYNC_PRESENTATIONS;
/// Frames of the pacman run the per-frame counts are averaged over.
const PACMAN_FRAMES: u64 = 150;

/// The counts of a stretch of trace.
#[derive(Default)]
struct Counts {
    spi: u64,
    i2c: u64,
    gpio: u64,
    bytes: u64,
    /// Time the bytes take on the wire at the bus's clock, in nanoseconds.
    wire_ns: u64,
}

fn count(events: &[TraceEvent], spi_hz: u64, i2c_hz: u64) -> Counts {
    let mut c = Counts::default();
    for event in events {
        let written = |ops: &[TraceOp]| -> u64 {
            ops.iter()
                .map(|op| match op {
                    TraceOp::Write { bytes } | TraceOp::Read { bytes } => bytes.len() as u64,
                    TraceOp::Transfer { written, .. } => written.len() as u64,
                    TraceOp::Delay { .. } => 0,
                })
                .sum()
        };
        match &event.kind {
            TraceKind::Spi { ops, .. } => {
                let n = written(ops);
                c.spi += 1;
                c.bytes += n;
                c.wire_ns += n * 8 * 1_000_000_000 / spi_hz;
            }
            TraceKind::I2c { ops, .. } => {
                let n = written(ops);
                c.i2c += 1;
                c.bytes += n;
                // Address byte plus payload, 9 clocks each (8 bits and the acknowledge), and a
                // START and a STOP of about one clock each.
                c.wire_ns += ((n + 1) * 9 + 2) * 1_000_000_000 / i2c_hz;
            }
            TraceKind::Gpio { .. } => c.gpio += 1,
            // No benchmarked board has a PWM channel.
            TraceKind::Pwm { .. } => {}
        }
    }
    c
}

fn per_frame(c: &Counts, frames: u64) -> Value {
    let f = frames as f64;
    json!({
        "spi_transactions": c.spi as f64 / f,
        "i2c_transactions": c.i2c as f64 / f,
        "gpio_edges": c.gpio as f64 / f,
        "bytes": c.bytes as f64 / f,
        "wire_us": c.wire_ns as f64 / f / 1000.0,
    })
}

/// Full frames through each display driver, counted from the simulated board's trace.
fn drivers() -> Result<Value> {
    let engine = engine(false)?;
    let mut out = serde_json::Map::new();
    for (driver, board, panel, spi_hz) in [
        ("ssd1306-spi", SPI_128X64_BOARD, "128x64", 10_000_000),
        ("ssd1306-i2c", I2C_128X64_BOARD, "128x64", 10_000_000),
        ("pmod-oled", PMOD_OLED_BOARD, "128x32", 8_000_000),
    ] {
        let path = Composition::flush(driver).compose()?;
        let component = Component::from_file(&engine, &path)?;
        let mut guest = FlushGuest::new(&engine, &component, board)
            .with_context(|| format!("{driver} on {board}"))?;
        let trace = guest
            .board
            .simulated()
            .context("simulated board")?
            .trace()
            .clone();
        // One frame first, so that the counted ones are in the steady state: the window is
        // known from it, and the next window commands come one resync period later.
        guest.frames(1)?;
        trace.enable();
        trace.take();
        guest.frames(FRAMES)?;
        let events = trace.take();
        let c = count(&events, spi_hz, 400_000);
        let mut entry = per_frame(&c, u64::from(FRAMES));
        entry["panel"] = json!(panel);
        entry["board"] = json!(board);
        out.insert(driver.to_string(), entry);
    }
    Ok(Value::Object(out))
}

/// Pacman composed with the Pmod OLED driver: what an app's frame costs on the bus, with its
/// dirty rectangles.
fn pacman() -> Result<Value> {
    let engine = engine(false)?;
    let file = Composition::pacman().compose()?;
    let pre = PacmanPre::new(&engine, &Component::from_file(&engine, &file)?)?;
    let (mut store, command, board) = pre.instantiate(PACMAN_FRAMES)?;
    let trace = board
        .simulated()
        .context("simulated board")?
        .trace()
        .clone();
    trace.enable();
    command
        .wasi_cli_run()
        .call_run(&mut store)?
        .map_err(|()| anyhow::anyhow!("pacman failed"))?;
    let events = trace.take();
    let c = count(&events, 8_000_000, 400_000);
    let mut entry = per_frame(&c, PACMAN_FRAMES);
    entry["frames"] = json!(PACMAN_FRAMES);
    Ok(entry)
}

/// The size of every driver, app and composition, in bytes.
fn sizes() -> Result<Value> {
    let mut drivers = serde_json::Map::new();
    for (name, path) in [
        ("ssd1306-i2c", DRIVER_SSD1306_I2C),
        ("ssd1306-spi", DRIVER_SSD1306_SPI),
        ("pmod-oled", DRIVER_PMOD_OLED),
        ("bme680", DRIVER_BME680),
        ("ws2812-spi", DRIVER_WS2812_SPI),
        ("pmod-oledrgb", DRIVER_PMOD_OLEDRGB),
        ("buzzer-gpio", DRIVER_BUZZER_GPIO),
        ("buzzer-pwm", DRIVER_BUZZER_PWM),
    ] {
        drivers.insert(name.into(), json!(std::fs::metadata(path)?.len()));
    }
    let mut apps = serde_json::Map::new();
    for (name, path) in [
        ("pacman", APP_PACMAN),
        ("ball-screensaver", APP_BALL_SCREENSAVER),
        ("weather-station", APP_WEATHER_STATION),
        ("strip-rainbow", APP_STRIP_RAINBOW),
        ("doorbell", APP_DOORBELL),
    ] {
        apps.insert(name.into(), json!(std::fs::metadata(path)?.len()));
    }
    let mut compositions = serde_json::Map::new();
    for composition in Composition::all_apps() {
        let path = composition.compose()?;
        compositions.insert(
            composition.name.into(),
            json!(std::fs::metadata(path)?.len()),
        );
    }
    Ok(json!({ "drivers": drivers, "apps": apps, "compositions": compositions }))
}

fn main() -> Result<()> {
    let facts = json!({
        "sizes": sizes()?,
        "transactions_per_frame": drivers()?,
        "pacman_per_frame": pacman()?,
    });
    let text = serde_json::to_string_pretty(&facts)?;
    println!("{text}");
    let path = out_dir().join("facts.json");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, &text)?;
    std::fs::rename(&tmp, &path)?;
    println!("wrote {}", path.display());
    Ok(())
}
