//! wasi-hal components in Node.js, transpiled by the real `jco` CLI (`host/js/node_modules`,
//! installed by `cargo xtask setup` from `host/js/package-lock.json`).
//!
//! - **The pmod-oled driver alone in Node.js** puts the same bytes on the wire as on the Rust
//!   host: the driver is transpiled with `jco transpile --instantiation async`; its `wasi:spi`,
//!   `wasi:gpio`, `wasi:delay` and `wasi:config/store` imports are the recording JavaScript
//!   host of `host/js/src/hal.js`; `host/js/src/drive-display.mjs` makes a script of
//!   `display:pixels` calls. The same calls on the same board through Wasmtime with the real
//!   host crates and the simulated board (`wasi_hal_tests::TestBoard`) give the same answers and
//!   the same trace: every SPI transaction byte for byte, every level change of the D/C#,
//!   RES#, VBATC and VDDC lines, each at the same virtual time.
//! - **The self-contained pacman in Node.js** (`compositions/pacman-pmod-oled-virtual.wac`: app,
//!   driver and virtual board in one component that needs only WASI 0.2), transpiled by jco and
//!   run by `host/js/src/run-command.mjs` on `@bytecodealliance/preview2-shim`, writes frames
//!   whose last one after `--frames N` is the golden frame `tests/golden/pacman-pmod-oled/
//!   frame-NNN.png` of the host-side simulation, pixel for pixel.
//! - **Issue 19's devices on their virtual boards in Node.js**: the LED strip
//!   (`strip-rainbow-ws2812-virtual`) shows the golden colours of `wasi-hal run` after 30 frames
//!   with no timing warning, the colour OLED (`ball-screensaver-pmod-oledrgb-virtual`) and the
//!   DHT22 weather station (`weather-dht22-ssd1306-virtual`) their golden frame 30, and the
//!   passive-buzzer doorbell (`doorbell-buzzer-pwm-virtual`, its
//!   board exporting `wasi:pwm`) plays the golden tones.
//! - **The JavaScript host follows the WIT** (`host/js/test/hal.test.js`, run with
//!   `node --test`): errors, resources and policy cases the driver never reaches; the web page's
//!   frame-stream reader is tested there too (`host/js/test/frames.test.js`).

mod frame_stream;
mod js_host;

use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;
use test_programs_artifacts::DRIVER_PMOD_OLED;
use wasi_hal_sim::ssd1306::PanelSize;
use wasi_hal_spi::{SpiConfig, SpiMode, SpiPolicy};
use wasi_hal_tests::{ErrorCode, Rect, TestBoard};

/// The `pmod-oled` driver transpiled by `jco transpile --instantiation async`, once per test
/// process. Returns the generated module.
fn transpiled_pmod_oled() -> PathBuf {
    static DONE: OnceLock<PathBuf> = OnceLock::new();
    DONE.get_or_init(|| {
        let out = js_host::scratch("pmod-oled");
        js_host::jco_transpile(DRIVER_PMOD_OLED.as_ref(), &out, "pmod-oled")
    })
    .clone()
}

/// One call on the driver's `display:pixels` export.
#[derive(Clone, Debug)]
enum Step {
    /// `open`.
    Open,
    /// `display.get-info`.
    GetInfo,
    /// `display.write-region`.
    WriteRegion(Rect, Vec<u8>),
    /// `display.fill-rect`.
    FillRect(Rect, u32),
    /// `display.present`.
    Present,
    /// `display.present-region`.
    PresentRegion(Rect, Vec<u8>),
    /// `display.set-power`.
    SetPower(bool),
    /// `display.set-brightness`.
    SetBrightness(u8),
    /// Dropping the display.
    Drop,
}

fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect {
        x,
        y,
        width,
        height,
    }
}

/// Packs a `w` x `h` picture as `mono1` (rows top to bottom, MSB = leftmost pixel).
fn mono1(w: u32, h: u32, lit: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let stride = w.div_ceil(8) as usize;
    let mut out = vec![0u8; stride * h as usize];
    for y in 0..h {
        for x in 0..w {
            if lit(x, y) {
                out[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    out
}

/// The drawing both hosts make: power-up, a full frame, partial regions (the driver sends only
/// the changed box), fills, brightness, a power cycle with drawing while off, a rectangle
/// outside the panel (an error), and the drop (power-down).
fn drawing() -> Vec<Step> {
    let diagonal = |x: u32, y: u32| x % 16 == y % 16;
    vec![
        Step::Open,
        Step::GetInfo,
        Step::PresentRegion(rect(0, 0, 128, 32), mono1(128, 32, diagonal)),
        Step::WriteRegion(rect(20, 5, 11, 9), mono1(11, 9, |x, y| (x + y) % 3 == 0)),
        Step::Present,
        Step::FillRect(rect(100, 24, 28, 8), 1),
        Step::PresentRegion(rect(60, 10, 8, 2), vec![0xA5, 0x5A]),
        Step::Present,
        Step::SetBrightness(0x40),
        Step::PresentRegion(rect(120, 30, 16, 2), vec![0xFF; 4]),
        Step::SetPower(false),
        Step::FillRect(rect(0, 0, 8, 8), 1),
        Step::Present,
        Step::SetBrightness(0x20),
        Step::SetPower(true),
        Step::FillRect(rect(64, 0, 64, 32), 0),
        Step::Present,
        Step::Drop,
    ]
}

/// The name of `code` in the WIT.
fn code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::NotConnected => "not-connected",
        ErrorCode::BusError => "bus-error",
        ErrorCode::NotPermitted => "not-permitted",
        ErrorCode::InUse => "in-use",
        ErrorCode::OutOfBounds => "out-of-bounds",
        ErrorCode::WrongLength => "wrong-length",
        ErrorCode::Unsupported => "unsupported",
        ErrorCode::Other => "other",
    }
}

/// `{"ok": value}` or `{"err": "code"}`, as `drive-display.mjs` prints a call's answer.
fn answer(result: Result<Value, ErrorCode>) -> Value {
    match result {
        Ok(value) => json!({ "ok": value }),
        Err(code) => json!({ "err": code_name(code) }),
    }
}

/// How an SPI mode is spelled in the WIT (and in the JavaScript host's board description).
fn mode_name(mode: SpiMode) -> &'static str {
    match mode {
        SpiMode::Mode0 => "mode0",
        SpiMode::Mode1 => "mode1",
        SpiMode::Mode2 => "mode2",
        SpiMode::Mode3 => "mode3",
    }
}

/// A Pmod OLED board: the SPI device `oled` with `policy`, and the lines D/C# (low), RES#,
/// VBATC and VDDC (high, and back to high when let go), without the lines in `missing`.
struct PmodBoard {
    policy: SpiPolicy,
    missing: &'static [&'static str],
}

/// The Pmod's lines: name, level at rest (`true` = high), level when let go.
const LINES: [(&str, bool, bool); 4] = [
    ("oled-dc", false, false),
    ("oled-res", true, true),
    ("oled-vbatc", true, true),
    ("oled-vddc", true, true),
];

impl PmodBoard {
    /// The board on the Rust host: Wasmtime, the host crates and the simulated SSD1306.
    fn rust(&self) -> TestBoard {
        let mut board = TestBoard::new(PanelSize::W128H32);
        let mut lines = Vec::new();
        for (name, initial, safe) in LINES {
            if self.missing.contains(&name) {
                lines.push(board.hidden_line(name, initial));
            } else {
                lines.push(board.output_line(name, initial, safe));
            }
        }
        board.spi_device("oled", &lines[0], Some(&lines[1]), self.policy.clone());
        board
    }

    /// The same board for `host/js/src/hal.js`.
    fn js(&self) -> Value {
        let level = |high: bool| if high { "high" } else { "low" };
        let mut pins = serde_json::Map::new();
        for (name, initial, safe) in LINES {
            if !self.missing.contains(&name) {
                pins.insert(
                    name.into(),
                    json!({ "modes": ["output"], "initial": level(initial), "safe": level(safe) }),
                );
            }
        }
        json!({
            "spi": { "oled": js_spi_policy(&self.policy) },
            "pins": pins,
        })
    }
}

/// SPI settings as the JavaScript host spells them.
fn js_config(c: SpiConfig) -> Value {
    json!({
        "frequencyHz": c.frequency_hz,
        "mode": mode_name(c.mode),
        "bitOrder": if c.lsb_first { "lsb-first" } else { "msb-first" },
    })
}

/// An SPI policy as the JavaScript host's board description spells it.
fn js_spi_policy(p: &SpiPolicy) -> Value {
    json!({
        "defaultConfig": js_config(p.default_config),
        "guestMayConfigure": p.guest_may_configure,
        "maxFrequencyHz": p.max_frequency_hz,
        "aboveMaximum": match p.above_maximum {
            wasi_hal_spi::AboveMaximum::Clamp => "clamp",
            wasi_hal_spi::AboveMaximum::Refuse => "refuse",
        },
        "allowedModes": p.allowed_modes.iter().map(|m| mode_name(*m)).collect::<Vec<_>>(),
        "allowLsbFirst": p.allow_lsb_first,
        "maxTransferBytes": p.max_transfer_bytes,
    })
}

/// The answers and the trace (as `wasi-hal run --trace` writes it) of `steps` on the Rust host.
fn on_rust_host(board: &PmodBoard, steps: &[Step]) -> (Vec<Value>, Vec<Value>) {
    let mut running = board.rust().start(DRIVER_PMOD_OLED).unwrap();
    let mut displays = Vec::new();
    let mut answers = Vec::new();
    let unit = |r: Result<(), ErrorCode>| answer(r.map(|()| Value::Null));
    for step in steps {
        let d = || displays.last().copied().expect("a step before `open`");
        let a = match step {
            Step::Open => {
                let r = running.open().unwrap();
                if let Ok(d) = r {
                    displays.push(d);
                }
                answer(r.map(|_| json!(displays.len() - 1)))
            }
            Step::GetInfo => {
                let info = running.info(d()).unwrap();
                answer(Ok(json!({
                    "width": info.width,
                    "height": info.height,
                    "format": "mono1",
                })))
            }
            Step::WriteRegion(area, pixels) => {
                unit(running.write_region(d(), *area, pixels).unwrap())
            }
            Step::FillRect(area, color) => unit(running.fill_rect(d(), *area, *color).unwrap()),
            Step::Present => unit(running.present(d()).unwrap()),
            Step::PresentRegion(area, pixels) => {
                unit(running.present_region(d(), *area, pixels).unwrap())
            }
            Step::SetPower(on) => unit(running.set_power(d(), *on).unwrap()),
            Step::SetBrightness(level) => unit(running.set_brightness(d(), *level).unwrap()),
            Step::Drop => {
                running.close(d()).unwrap();
                displays.pop();
                answer(Ok(Value::Null))
            }
        };
        answers.push(a);
    }
    let trace = running
        .take_trace()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    (answers, trace)
}

/// The script `drive-display.mjs` runs: `board` and `steps`.
fn script(board: &PmodBoard, steps: &[Step]) -> Value {
    let area = |r: &Rect| json!([r.x, r.y, r.width, r.height]);
    let calls: Vec<Value> = steps
        .iter()
        .map(|step| match step {
            Step::Open => json!({ "call": "open" }),
            Step::GetInfo => json!({ "call": "get-info" }),
            Step::WriteRegion(r, pixels) => {
                json!({ "call": "write-region", "area": area(r), "pixels": pixels })
            }
            Step::FillRect(r, color) => {
                json!({ "call": "fill-rect", "area": area(r), "color": color })
            }
            Step::Present => json!({ "call": "present" }),
            Step::PresentRegion(r, pixels) => {
                json!({ "call": "present-region", "area": area(r), "pixels": pixels })
            }
            Step::SetPower(on) => json!({ "call": "set-power", "on": on }),
            Step::SetBrightness(level) => json!({ "call": "set-brightness", "level": level }),
            Step::Drop => json!({ "call": "drop" }),
        })
        .collect();
    json!({ "board": board.js(), "calls": calls })
}

/// The answers and the trace of `steps` on the JavaScript host in Node.js.
fn in_node(board: &PmodBoard, steps: &[Step]) -> (Vec<Value>, Vec<Value>) {
    let module = transpiled_pmod_oled();
    let dir = js_host::scratch("drive");
    let script_path = dir.join("script.json");
    std::fs::write(&script_path, script(board, steps).to_string()).unwrap();
    let out = js_host::run(
        js_host::node("src/drive-display.mjs")
            .arg(&module)
            .arg(&script_path),
        "node drive-display.mjs",
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "drive-display.mjs printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let _ = std::fs::remove_dir_all(&dir);
    let list = |key: &str| {
        printed[key]
            .as_array()
            .unwrap_or_else(|| panic!("drive-display.mjs printed no `{key}`"))
            .clone()
    };
    (list("results"), list("trace"))
}

/// Runs `steps` on both hosts and checks that the answers and the traces are the same.
/// Returns the trace.
fn same_on_both_hosts(board: &PmodBoard, steps: &[Step]) -> Vec<Value> {
    let (rust_answers, rust_trace) = on_rust_host(board, steps);
    let (js_answers, js_trace) = in_node(board, steps);
    for (i, (rust, js)) in rust_answers.iter().zip(&js_answers).enumerate() {
        assert_eq!(js, rust, "call {i} ({:?}) answered differently", steps[i]);
    }
    assert_eq!(js_answers.len(), rust_answers.len(), "number of answers");
    for (i, (rust, js)) in rust_trace.iter().zip(&js_trace).enumerate() {
        assert_eq!(
            js, rust,
            "trace event {i} differs (Node.js left, Rust host right)"
        );
    }
    assert_eq!(
        js_trace.len(),
        rust_trace.len(),
        "the traces have different lengths; the longer one goes on with {:?}",
        js_trace
            .get(rust_trace.len())
            .or(rust_trace.get(js_trace.len()))
    );
    rust_trace
}

/// The bytes of every SPI write in `trace`, in order.
fn spi_bytes(trace: &[Value]) -> Vec<u8> {
    trace
        .iter()
        .filter(|e| e["kind"] == "spi")
        .flat_map(|e| e["ops"].as_array().unwrap().clone())
        .flat_map(|op| op["bytes"].as_array().unwrap().clone())
        .map(|b| b.as_u64().unwrap() as u8)
        .collect()
}

#[test]
fn pmod_oled_in_node_puts_the_same_bytes_on_the_wire_as_on_the_rust_host() {
    let board = PmodBoard {
        policy: SpiPolicy::default(),
        missing: &[],
    };
    let trace = same_on_both_hosts(&board, &drawing());
    // The drawing reached the wire: the power-up's 512 frame bytes, then the diagonal's.
    let bytes = spi_bytes(&trace);
    assert!(
        bytes.len() > 2 * 512,
        "only {} bytes were sent",
        bytes.len()
    );
    let diagonal_page0: Vec<u8> = (0..8).map(|x| 1 << x).collect();
    assert!(
        bytes.windows(8).any(|w| w == diagonal_page0),
        "the diagonal's first page never crossed the wire"
    );
}

#[test]
fn pmod_oled_in_node_under_other_policies_matches_the_rust_host() {
    let cases = [
        // Small transfers: the driver splits the frame at the host's maximum.
        SpiPolicy {
            max_transfer_bytes: 48,
            ..SpiPolicy::default()
        },
        // A slower clock: the driver's 10 MHz request is clamped; the wire takes longer.
        SpiPolicy {
            max_frequency_hz: 4_000_000,
            ..SpiPolicy::default()
        },
        // Fixed settings in mode 3: `configure` keeps them.
        SpiPolicy {
            default_config: SpiConfig {
                frequency_hz: 2_000_000,
                mode: SpiMode::Mode3,
                lsb_first: false,
            },
            guest_may_configure: false,
            ..SpiPolicy::default()
        },
        // Mode 0 refused: the driver goes on with the board's mode 3.
        SpiPolicy {
            default_config: SpiConfig {
                frequency_hz: 1_000_000,
                mode: SpiMode::Mode3,
                lsb_first: false,
            },
            allowed_modes: vec![SpiMode::Mode3],
            ..SpiPolicy::default()
        },
    ];
    for policy in cases {
        let board = PmodBoard {
            policy,
            missing: &[],
        };
        same_on_both_hosts(&board, &drawing()[..8]);
    }

    // Only LSB first in mode 1, which the SSD1306 cannot read: `open` fails with
    // `not-permitted` and sends nothing.
    let board = PmodBoard {
        policy: SpiPolicy {
            default_config: SpiConfig {
                frequency_hz: 1_000_000,
                mode: SpiMode::Mode1,
                lsb_first: true,
            },
            allowed_modes: vec![SpiMode::Mode1],
            ..SpiPolicy::default()
        },
        missing: &[],
    };
    let trace = same_on_both_hosts(&board, &[Step::Open]);
    assert!(trace.is_empty(), "{trace:?}");
    let (answers, _) = in_node(&board, &[Step::Open]);
    assert_eq!(answers, [json!({ "err": "not-permitted" })]);
}

#[test]
fn pmod_oled_in_node_with_a_missing_pin_fails_open_as_on_the_rust_host() {
    for missing in [
        &["oled-vddc"][..],
        &["oled-dc"],
        &["oled-res", "oled-vbatc"],
    ] {
        let board = PmodBoard {
            policy: SpiPolicy::default(),
            missing,
        };
        let (answers, trace) = in_node(&board, &[Step::Open]);
        assert_eq!(answers, [json!({ "err": "not-permitted" })], "{missing:?}");
        assert!(trace.is_empty(), "{missing:?}: {trace:?}");
        same_on_both_hosts(&board, &[Step::Open]);
    }
}

/// hal.js keeps a copy of the SPI policy rule (docs/hosts.md says why): every request of a
/// grid (each mode and bit order, frequencies around the maximum and 0) under policies that
/// reach every branch of `SpiPolicy::effective_config` gives the same answer in Node.js as in
/// the policy crate.
#[test]
fn the_javascript_spi_policy_is_the_policy_crates() {
    let current = SpiConfig {
        frequency_hz: 2_000_000,
        mode: SpiMode::Mode3,
        lsb_first: false,
    };
    let policies = [
        SpiPolicy::default(),
        SpiPolicy {
            max_frequency_hz: 8_000_000,
            above_maximum: wasi_hal_spi::AboveMaximum::Refuse,
            ..SpiPolicy::default()
        },
        SpiPolicy {
            max_frequency_hz: 8_000_000,
            allowed_modes: vec![SpiMode::Mode0, SpiMode::Mode3],
            allow_lsb_first: false,
            ..SpiPolicy::default()
        },
        SpiPolicy {
            default_config: current,
            guest_may_configure: false,
            ..SpiPolicy::default()
        },
    ];
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for policy in &policies {
        for frequency_hz in [0, 1, 8_000_000, 8_000_001, 10_000_001, u32::MAX] {
            for mode in SpiMode::ALL {
                for lsb_first in [false, true] {
                    let requested = SpiConfig {
                        frequency_hz,
                        mode,
                        lsb_first,
                    };
                    cases.push(json!({
                        "policy": js_spi_policy(policy),
                        "current": js_config(current),
                        "requested": js_config(requested),
                    }));
                    expected.push(match policy.effective_config(current, requested) {
                        Ok(effective) => json!({ "ok": js_config(effective) }),
                        Err(_) => json!({ "err": "not-permitted" }),
                    });
                }
            }
        }
    }
    // Every branch is reached: clamped, refused above the maximum, refused otherwise, fixed.
    assert!(expected.iter().any(|e| e["ok"]["frequencyHz"] == 8_000_000));
    assert!(expected.iter().filter(|e| e["err"].is_string()).count() > 50);

    let dir = js_host::scratch("spi-policy");
    let path = dir.join("cases.json");
    std::fs::write(&path, Value::from(cases.clone()).to_string()).unwrap();
    let out = js_host::run(
        js_host::node("src/spi-policy-cases.mjs").arg(&path),
        "node spi-policy-cases.mjs",
    );
    let _ = std::fs::remove_dir_all(&dir);
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), expected.len(), "number of answers");
    for ((case, js), rust) in cases.iter().zip(&answers).zip(&expected) {
        assert_eq!(
            js, rust,
            "hal.js (left) and the policy crate differ on {case}"
        );
    }
}

#[test]
fn the_javascript_host_follows_the_wit() {
    let dir = js_host::js_dir();
    let out = js_host::run(
        std::process::Command::new("node")
            .args(["--test", "--test-reporter=spec", "test/"])
            .current_dir(&dir),
        "node --test test/",
    );
    let report = String::from_utf8_lossy(&out.stdout);
    // `node --test` with no test at all succeeds: make sure both files' tests ran.
    for name in ["spi: transfers are recorded", "frames are read whole"] {
        assert!(
            report.contains(name),
            "node --test did not run `{name}`:\n{report}"
        );
    }
}

/// The self-contained pacman transpiled by jco, once per test process. Returns the module.
fn transpiled_virtual_pacman() -> PathBuf {
    static DONE: OnceLock<PathBuf> = OnceLock::new();
    DONE.get_or_init(|| {
        let out = js_host::scratch("virtual-pacman-js");
        js_host::jco_transpile(&js_host::virtual_pacman(), &out, "pacman")
    })
    .clone()
}

/// Runs the transpiled self-contained pacman in Node.js for `frames` frames, on WASI 0.2 from
/// preview2-shim alone, and returns its stdout: the virtual board's frames.
fn run_virtual_pacman_in_node(frames: u64) -> Vec<u8> {
    let out = js_host::run(
        js_host::node("src/run-command.mjs")
            .arg(transpiled_virtual_pacman())
            .args(["--", "pacman", "--frames", &frames.to_string()]),
        "node run-command.mjs (the self-contained pacman)",
    );
    out.stdout
}

#[test]
fn the_self_contained_pacman_in_node_shows_the_golden_frames() {
    for n in [1u64, 90, 150] {
        let stdout = run_virtual_pacman_in_node(n);
        let frames = frame_stream::parse_frames(&stdout);
        let last = frames.last().expect("pacman in Node.js wrote no frame");
        assert!(
            frames.iter().all(|f| f.display == "oled"),
            "one display, named as on the board"
        );
        assert!(last.lit, "after {n} frames the panel is lit");
        frame_stream::assert_same_frame(
            &last.frame,
            &js_host::golden_pacman_frame(n),
            &format!("pacman in Node.js after {n} frames against frame-{n:03}.png"),
        );
        if n == 150 {
            // The game moves: the 90 frames after the "READY!" pause show many images.
            assert!(frames.len() > 60, "only {} frames written", frames.len());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The virtual boards of issue 19's devices in Node.js.

/// `compositions/<name>.wac` composed from the components the tests build (`deps`: package
/// names and files), transpiled by jco and run by `run-command.mjs` with `args` on
/// preview2-shim alone: its stdout and stderr.
fn run_virtual_in_node(name: &str, deps: &[(&str, &str)], args: &[&str]) -> (Vec<u8>, String) {
    let bytes = wasi_hal_tests::compose(name, deps);
    let dir = js_host::scratch(name);
    let component = dir.join(format!("{name}.wasm"));
    std::fs::write(&component, bytes).unwrap();
    let module = js_host::jco_transpile(&component, &dir.join("js"), "app");
    let out = js_host::run(
        js_host::node("src/run-command.mjs")
            .arg(module)
            .arg("--")
            .args(args),
        &format!("node run-command.mjs ({name})"),
    );
    let _ = std::fs::remove_dir_all(&dir);
    (out.stdout, String::from_utf8(out.stderr).unwrap())
}

/// The LED strip's virtual board in Node.js: after 30 frames of the rainbow the strip shows
/// the golden colours of `wasi-hal run` (`tests/golden/strip-rainbow-ws2812/frame-030.png`),
/// decoded from the SPI bits with no timing warning.
#[test]
fn the_virtual_strip_in_node_shows_the_golden_colours() {
    use test_programs_artifacts::{
        APP_STRIP_RAINBOW, DRIVER_WS2812_SPI, VIRTUAL_BOARD_SIM_LED_STRIP,
    };
    let (stdout, stderr) = run_virtual_in_node(
        "strip-rainbow-ws2812-virtual",
        &[
            ("wasi-hal:strip-rainbow", APP_STRIP_RAINBOW),
            ("wasi-hal:ws2812-spi", DRIVER_WS2812_SPI),
            ("wasi-hal:sim-led-strip", VIRTUAL_BOARD_SIM_LED_STRIP),
        ],
        &["strip-rainbow", "--frames", "30"],
    );
    let frames = frame_stream::parse_frames(&stdout);
    let last = frames.last().expect("the strip in Node.js wrote no frame");
    assert!(frames.iter().all(|f| f.display == "strip"));
    let golden = js_host::root().join("tests/golden/strip-rainbow-ws2812/frame-030.png");
    frame_stream::assert_same_frame(
        &last.frame,
        &wasi_hal_sim_render::load_png(&golden).unwrap(),
        "the strip in Node.js after 30 frames against frame-030.png",
    );
    assert!(!stderr.contains("wasi-hal-strip-warning"), "{stderr}");
}

/// The passive-buzzer doorbell on its virtual board (which exports `wasi:pwm`) in Node.js plays
/// the golden tones of `wasi-hal run` (`tests/golden/doorbell-buzzer-pwm/tones.json`).
#[test]
fn the_virtual_pwm_doorbell_in_node_plays_the_golden_tones() {
    use test_programs_artifacts::{APP_DOORBELL, DRIVER_BUZZER_PWM, VIRTUAL_BOARD_SIM_BUZZER_PWM};
    let (stdout, stderr) = run_virtual_in_node(
        "doorbell-buzzer-pwm-virtual",
        &[
            ("wasi-hal:doorbell", APP_DOORBELL),
            ("wasi-hal:buzzer-pwm", DRIVER_BUZZER_PWM),
            ("wasi-hal:sim-buzzer-pwm", VIRTUAL_BOARD_SIM_BUZZER_PWM),
        ],
        &["doorbell", "--rings", "2"],
    );
    assert_eq!(
        String::from_utf8(stdout).unwrap(),
        "doorbell: passive (PWM) buzzer\n"
    );
    // `wasi-hal-tone buzzer=buzzer start-ns=S duration-ns=D frequency-hz=F`, as the golden
    // recording's records.
    let tones: Vec<Value> = stderr
        .lines()
        .map(|line| {
            let fields: Vec<u64> = line
                .split(' ')
                .skip(2)
                .map(|kv| kv.split_once('=').and_then(|(_, v)| v.parse().ok()))
                .collect::<Option<_>>()
                .unwrap_or_else(|| panic!("not a tone line: {line:?}"));
            assert!(line.starts_with("wasi-hal-tone buzzer=buzzer "), "{line}");
            json!({"start_ns": fields[0], "duration_ns": fields[1], "frequency_hz": fields[2]})
        })
        .collect();
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(
            js_host::root().join("tests/golden/doorbell-buzzer-pwm/tones.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(Value::Array(tones), golden, "{stderr}");
}

/// `compositions/<name>.wac` run in Node.js for 30 frames (`args`): its last frame equals the
/// golden frame 30 of `wasi-hal run` (`tests/golden/<golden>/frame-030.png`).
fn virtual_in_node_shows_golden_frame_30(
    name: &str,
    golden: &str,
    deps: &[(&str, &str)],
    args: &[&str],
) {
    let (stdout, stderr) = run_virtual_in_node(name, deps, args);
    let frames = frame_stream::parse_frames(&stdout);
    let last = frames
        .last()
        .unwrap_or_else(|| panic!("{name} in Node.js wrote no frame: {stderr}"));
    let path = js_host::root().join(format!("tests/golden/{golden}/frame-030.png"));
    frame_stream::assert_same_frame(
        &last.frame,
        &wasi_hal_sim_render::load_png(&path).unwrap(),
        &format!(
            "{name} in Node.js after 30 frames against {}",
            path.display()
        ),
    );
}

/// The colour OLED's virtual board (an SSD1331 writing RGB565 frames) in Node.js.
#[test]
fn the_virtual_colour_oled_in_node_shows_the_golden_frame() {
    use test_programs_artifacts::{
        APP_BALL_SCREENSAVER, DRIVER_PMOD_OLEDRGB, VIRTUAL_BOARD_SIM_PMOD_OLEDRGB,
    };
    virtual_in_node_shows_golden_frame_30(
        "ball-screensaver-pmod-oledrgb-virtual",
        "ball-screensaver-pmod-oledrgb",
        &[
            ("wasi-hal:ball-screensaver", APP_BALL_SCREENSAVER),
            ("wasi-hal:pmod-oledrgb", DRIVER_PMOD_OLEDRGB),
            ("wasi-hal:sim-pmod-oledrgb", VIRTUAL_BOARD_SIM_PMOD_OLEDRGB),
        ],
        &["ball-screensaver", "--frames", "30"],
    );
}

/// The kernel sensor's virtual board (the simulated DHT22 exported as `sensor:environment`) under
/// the weather station in Node.js.
#[test]
fn the_virtual_dht22_weather_station_in_node_shows_the_golden_frame() {
    use test_programs_artifacts::{
        APP_WEATHER_STATION, DRIVER_SSD1306_I2C, VIRTUAL_BOARD_SIM_WEATHER_DHT22,
    };
    virtual_in_node_shows_golden_frame_30(
        "weather-dht22-ssd1306-virtual",
        "weather-dht22-ssd1306",
        &[
            ("wasi-hal:weather-station", APP_WEATHER_STATION),
            ("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C),
            (
                "wasi-hal:sim-weather-dht22",
                VIRTUAL_BOARD_SIM_WEATHER_DHT22,
            ),
        ],
        &["weather-station", "--frames", "30"],
    );
}
