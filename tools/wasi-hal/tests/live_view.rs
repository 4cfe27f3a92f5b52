//! The live view of `wasi-hal run` in a real terminal emulator: tmux (Debian's `tmux`, which
//! `cargo xtask setup` installs), on a server of its own (`tmux -S <socket>`), with windows of
//! fixed sizes. The test drives it as a person would: it reads the screen with
//! `tmux capture-pane` and types with `tmux send-keys`.
//!
//! - At 80x24 and 200x60 the screen shows pacman's maze: the captured Braille, read back into
//!   dots and scaled back by the zoom the status line names, is the golden frame: every pixel the
//!   three golden frames share (the walls) is there, and nearly all of the others agree (the
//!   actors move); no line is longer than the window (captured with `-J`, so a line the
//!   terminal wrapped would come back joined).
//! - Arrow keys press the board's buttons: the trace shows each button line going to its pressed
//!   level (low) and back, and the game leaves its autopilot (the `AUTO` in the corner of the
//!   golden frames changes to `YOU`); `q` ends the run with exit code 0, the trace and the
//!   screenshot written, and the terminal back on its normal screen.
//!
//! With `WASI_HAL_UPDATE_SCREENSHOTS=1` the test also writes what it captured at 80x24 as
//! `docs/images/terminal-view.svg` (each Braille dot a circle, the status line as text), the
//! picture README shows; otherwise it checks that the picture is there.

mod common;
use common::{pacman, repo, temp};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use wasi_hal_sim::Frame;

/// Quotes `s` for `sh`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A tmux server of the test's own with one window running `wasi-hal run` on pacman.
struct Terminal {
    socket: PathBuf,
    exit_file: PathBuf,
}

impl Terminal {
    /// Starts `wasi-hal run --realtime` on pacman with `extra` arguments in a `cols` x `rows`
    /// window. The shell records the exit code in a file and keeps the window open.
    fn start(label: &str, cols: u16, rows: u16, extra: &[&str]) -> Terminal {
        let socket = temp(&format!("tmux-{label}"));
        let exit_file = temp(&format!("exit-{label}"));
        let _ = std::fs::remove_file(&exit_file);
        let board = repo().join("boards/sim-pacman-pmod-oled.toml");
        let mut command = vec![
            env!("CARGO_BIN_EXE_wasi-hal").to_string(),
            "run".into(),
            pacman().display().to_string(),
            "--board".into(),
            board.display().to_string(),
            "--realtime".into(),
        ];
        command.extend(extra.iter().map(|s| s.to_string()));
        let command: Vec<String> = command.iter().map(|s| quote(s)).collect();
        let script = format!(
            "{}; echo $? > {}; exec sleep 600",
            command.join(" "),
            quote(&exit_file.display().to_string())
        );
        let status = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(["-f", "/dev/null", "new-session", "-d", "-x"])
            .arg(cols.to_string())
            .arg("-y")
            .arg(rows.to_string())
            // The precompiled-component cache of this test process, never the user's.
            .args(["-e", &format!("WASI_HAL_CACHE={}", temp("cache").display())])
            .args(["-e", "COLORTERM=truecolor", "-e", "TERM=xterm-256color"])
            .arg(script)
            .status()
            .expect(
                "tmux runs (Debian's `tmux` package: `cargo xtask setup` installs it, or \
                 `apt-get install tmux`)",
            );
        assert!(status.success(), "tmux new-session failed: {status}");
        let terminal = Terminal { socket, exit_file };
        // A server of our own has the default window size option; make the window exact.
        terminal.tmux(&[
            "resize-window",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
        terminal
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("tmux prints UTF-8")
    }

    /// The screen now, wrapped lines joined (`-J`).
    fn capture(&self) -> Vec<String> {
        self.tmux(&["capture-pane", "-p", "-J"])
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn send(&self, key: &str) {
        self.tmux(&["send-keys", key]);
    }

    /// The screen once the live view shows a status line with a simulated time of at least
    /// `seconds`: (its drawing lines, the status line). Panics after two minutes (the first run
    /// compiles the component in a debug build).
    fn wait_for_time(&self, seconds: f64) -> (Vec<String>, String) {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if let Some(at) = screen.iter().position(|l| l.contains(" | t ")) {
                let status = screen[at].clone();
                let time: f64 = status
                    .split(" | t ")
                    .nth(1)
                    .and_then(|t| t.split(' ').next())
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0.0);
                if time >= seconds {
                    return (screen[..at].to_vec(), status);
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "no live view at {seconds} s after two minutes; the screen:\n{}",
                screen.join("\n")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The exit code of `wasi-hal run`, once it has ended (two minutes at most).
    fn wait_for_exit(&self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(code) = std::fs::read_to_string(&self.exit_file)
                && let Ok(code) = code.trim().parse()
            {
                return code;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "wasi-hal run did not end; the screen:\n{}",
                self.capture().join("\n")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .status();
    }
}

fn golden(frame: u32) -> Frame {
    wasi_hal_sim_render::load_png(&repo().join(format!(
        "tests/golden/pacman-pmod-oled/frame-{frame:03}.png"
    )))
    .expect("the golden frame loads")
}

fn lit(frame: &Frame, x: u32, y: u32) -> bool {
    frame.pixel(x, y).is_some_and(|p| p != [0, 0, 0])
}

/// The zoom the status line names (`(braille xN)`).
fn zoom(status: &str) -> u32 {
    status
        .split("(braille x")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .and_then(|z| z.parse().ok())
        .unwrap_or_else(|| panic!("the status line names no Braille zoom: {status}"))
}

/// The panel's pixels as the screen shows them: the Braille of `drawing` read back into dots,
/// one dot in the middle of each pixel's `zoom` x `zoom` block.
fn panel(drawing: &[String], zoom: u32, width: u32, height: u32) -> Vec<Vec<bool>> {
    let dots = wasi_hal_sim_render::braille_dots(drawing);
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| {
                    let (dx, dy) = (
                        (x * zoom + zoom / 2) as usize,
                        (y * zoom + zoom / 2) as usize,
                    );
                    dots.get(dy)
                        .and_then(|row| row.get(dx))
                        .copied()
                        .unwrap_or(false)
                })
                .collect()
        })
        .collect()
}

/// Where the game's score, lives, level and who steers are drawn: x 108 to 127.
const HUD_X: u32 = 108;

/// Checks that `shown` is pacman's maze: every pixel of the maze lit in all three golden frames
/// (the walls, the pellets nobody ate yet) is lit, and at least 90% of all pixels agree with
/// frame 1.
fn assert_is_the_maze(shown: &[Vec<bool>], what: &str) {
    let frames = [golden(1), golden(90), golden(150)];
    let (width, height) = (frames[0].width, frames[0].height);
    let mut agree = 0;
    for y in 0..height {
        for x in 0..width {
            let here = shown[y as usize][x as usize];
            if x < HUD_X && frames.iter().all(|f| lit(f, x, y)) {
                assert!(here, "{what}: the wall pixel ({x}, {y}) is not shown");
            }
            if here == lit(&frames[0], x, y) {
                agree += 1;
            }
        }
    }
    let share = agree as f64 / f64::from(width * height);
    assert!(
        share >= 0.9,
        "{what}: only {:.1}% of the pixels agree",
        share * 100.0
    );
}

/// A frame's pixels, lit or not.
fn pixels(frame: &Frame) -> Vec<Vec<bool>> {
    (0..frame.height)
        .map(|y| (0..frame.width).map(|x| lit(frame, x, y)).collect())
        .collect()
}

/// The corner where the game says who steers (`AUTO` or `YOU`): x 108 to 127, y 26 to 31.
fn who(pixels: &[Vec<bool>]) -> Vec<Vec<bool>> {
    pixels[26..32]
        .iter()
        .map(|row| row[HUD_X as usize..128].to_vec())
        .collect()
}

#[test]
fn the_maze_fits_80x24_and_200x60() {
    for (cols, rows, expected_zoom) in [(80u16, 24u16, 1), (200, 60, 3)] {
        let terminal = Terminal::start(&format!("{cols}x{rows}"), cols, rows, &[]);
        let (drawing, status) = terminal.wait_for_time(1.0);
        let screen = terminal.capture();
        assert!(screen.len() <= usize::from(rows));
        for line in &screen {
            assert!(
                line.chars().count() <= usize::from(cols),
                "{cols}x{rows}: a line of {} characters: {line}",
                line.chars().count()
            );
        }
        assert!(status.starts_with("oled 128x32 (braille"), "{status}");
        assert!(status.contains("arrows/WASD move, q quits"), "{status}");
        assert_eq!(zoom(&status), expected_zoom, "{cols}x{rows}: {status}");
        let shown = panel(&drawing, expected_zoom, 128, 32);
        assert_is_the_maze(&shown, &format!("{cols}x{rows}"));
        if cols == 80 {
            screenshot(&drawing, &status, cols, rows);
        }
        terminal.send("q");
        assert_eq!(terminal.wait_for_exit(), 0);
    }
}

#[test]
fn arrow_keys_press_the_buttons_and_q_quits_with_the_files_written() {
    let trace = temp("keys.jsonl");
    let screenshot = temp("keys.png");
    let terminal = Terminal::start(
        "keys",
        80,
        24,
        &[
            "--trace",
            trace.to_str().unwrap(),
            "--screenshot",
            screenshot.to_str().unwrap(),
        ],
    );
    let (drawing, status) = terminal.wait_for_time(1.0);
    let auto = who(&pixels(&golden(90)));
    let before = panel(&drawing, zoom(&status), 128, 32);
    assert_eq!(
        who(&before),
        auto,
        "the game is on its autopilot before any key"
    );

    for key in ["Left", "Left", "Up", "Left"] {
        terminal.send(key);
        std::thread::sleep(Duration::from_millis(400));
    }
    let (drawing, status) = terminal.wait_for_time(0.0);
    let after = panel(&drawing, zoom(&status), 128, 32);
    assert_is_the_maze(&after, "after the keys");
    assert_ne!(
        who(&after),
        auto,
        "the corner still says AUTO after the arrow keys"
    );

    terminal.send("q");
    assert_eq!(
        terminal.wait_for_exit(),
        0,
        "q ends the run with exit code 0"
    );
    // The terminal is back on its normal screen: the maze is gone with the alternate screen.
    let screen = terminal.capture();
    assert!(
        !screen.iter().any(|l| l.contains(" | t ")),
        "the live view is still on the screen after q:\n{}",
        screen.join("\n")
    );
    assert!(screenshot.exists(), "q ends the run without the screenshot");

    // Each button edge of the trace: (line, high), in time order.
    let edges: Vec<(String, bool, u64)> = std::fs::read_to_string(&trace)
        .expect("q ends the run with the trace written")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a trace line is JSON"))
        .filter(|e| e["kind"] == "gpio" && e["line"].as_str().unwrap().starts_with("btn-"))
        .map(|e| {
            (
                e["line"].as_str().unwrap().to_string(),
                e["high"].as_bool().unwrap(),
                e["time_ns"].as_u64().unwrap(),
            )
        })
        .collect();
    let presses: Vec<&str> = edges
        .iter()
        .filter(|(_, high, _)| !high)
        .map(|(line, _, _)| line.as_str())
        .collect();
    assert_eq!(
        presses,
        ["btn-left", "btn-left", "btn-up", "btn-left"],
        "{edges:?}"
    );
    // Every press is released again (the keys were 400 ms apart, the hold is 250 ms), low
    // before high on each line.
    for pair in edges.chunks(2) {
        let [(line, false, pressed), (line2, true, released)] = pair else {
            panic!("a press without its release: {edges:?}");
        };
        assert_eq!(line, line2, "{edges:?}");
        assert!(released > pressed, "{edges:?}");
    }
}

/// Writes (with `WASI_HAL_UPDATE_SCREENSHOTS=1`) or checks `docs/images/terminal-view.svg`: the
/// captured screen, each raised Braille dot a circle, the status line as text.
fn screenshot(drawing: &[String], status: &str, cols: u16, rows: u16) {
    let path = repo().join("docs/images/terminal-view.svg");
    if std::env::var_os("WASI_HAL_UPDATE_SCREENSHOTS").is_none_or(|v| v != "1") {
        assert!(
            path.exists(),
            "{} is missing: run this test with WASI_HAL_UPDATE_SCREENSHOTS=1",
            path.display()
        );
        return;
    }
    // A character cell is 8 x 16 SVG units; a dot sits in a 4 x 4 square of it.
    let (cell_w, cell_h) = (8, 16);
    let dots = wasi_hal_sim_render::braille_dots(drawing);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"#101010\"/>\n\
         <g fill=\"#e8f4ff\">\n",
        w = u32::from(cols) * cell_w,
        // The drawing and its status line: the rest of the window is empty.
        h = (drawing.len() as u32 + 1).min(u32::from(rows)) * cell_h + 4
    );
    for (y, row) in dots.iter().enumerate() {
        for (x, &on) in row.iter().enumerate() {
            if on {
                svg.push_str(&format!(
                    "<circle cx=\"{}\" cy=\"{}\" r=\"1.6\"/>\n",
                    x * 4 + 2,
                    y * 4 + 2
                ));
            }
        }
    }
    let status = status
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    svg.push_str(&format!(
        "</g>\n<text x=\"0\" y=\"{}\" fill=\"#d0d0d0\" font-family=\"monospace\" \
         font-size=\"13\" textLength=\"{}\">{status}</text>\n</svg>\n",
        drawing.len() as u32 * cell_h + 12,
        status.chars().count() as u32 * cell_w
    ));
    std::fs::write(&path, svg).unwrap();
}

#[test]
fn the_view_follows_a_resize_and_leaves_a_clean_screen() {
    let terminal = Terminal::start("resize", 80, 24, &[]);
    let (_, status) = terminal.wait_for_time(1.0);
    assert_eq!(zoom(&status), 1, "{status}");

    terminal.tmux(&["resize-window", "-x", "40", "-y", "10"]);
    let start = Instant::now();
    let small = loop {
        let screen = terminal.capture();
        if screen
            .iter()
            .any(|l| l.starts_with("scaled down to fit 40x10"))
        {
            break screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no note after shrinking to 40x10:\n{}",
            screen.join("\n")
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(small.len() <= 10);
    assert!(
        small.iter().all(|l| l.chars().count() <= 40),
        "{}",
        small.join("\n")
    );
    assert!(
        small.iter().any(|l| l.contains("(braille 1/2)")),
        "{}",
        small.join("\n")
    );

    terminal.tmux(&["resize-window", "-x", "200", "-y", "60"]);
    let start = Instant::now();
    loop {
        let (drawing, status) = terminal.wait_for_time(0.0);
        if status.contains("(braille x3)") {
            assert_is_the_maze(&panel(&drawing, 3, 128, 32), "after growing to 200x60");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no zoom 3 after growing to 200x60: {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    terminal.send("q");
    assert_eq!(terminal.wait_for_exit(), 0);
    let screen = terminal.capture();
    assert!(
        screen.iter().all(|l| l.trim().is_empty()),
        "the live view left this on the normal screen:\n{}",
        screen.join("\n")
    );
}

#[test]
fn a_bad_key_map_is_named_before_the_run() {
    let board = repo().join("boards/sim-pacman-pmod-oled.toml");
    for (key, expected) in [
        ("x=jump", "--key x=jump: the board "),
        (
            "up-arrow=up",
            "--key up-arrow=up: `up-arrow` is not a key this view reads",
        ),
        ("q=up", "--key q=up: `q` is not a key this view reads"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
            .env("WASI_HAL_CACHE", temp("cache"))
            .args(["run", pacman().to_str().unwrap(), "--board"])
            .arg(&board)
            .args(["--key", key])
            .output()
            .expect("the wasi-hal binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{key}: {stderr}");
        assert!(stderr.contains(expected), "{key}: {stderr}");
        if key == "x=jump" {
            assert!(
                stderr.contains("has no button part `jump`"),
                "{key}: {stderr}"
            );
        }
    }
}
