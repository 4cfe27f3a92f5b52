//! The web page (`host/web`, built by `host/js/src/build-web.mjs`, which `cargo xtask build`
//! runs into `target/wasi-hal/web/`) in a real headless Chromium: Debian's `chromium` package,
//! installed by `cargo xtask setup`, driven by playwright-core (`host/js/src/screenshot-page.mjs`).
//!
//! The test builds the page with the same script from the self-contained pacman it composes
//! from the components the tests build (so it does not depend on a build having run), serves
//! it on 127.0.0.1 from a small HTTP server of its own, and loads it with `?frames=N&pace=none`:
//! the page runs `pacman --frames N` in a Web Worker and draws every frame on its canvas. Once
//! the page says it is done, the canvas is screenshot; scaled down (one sample in the middle of
//! each panel pixel's cell) it is the golden frame `tests/golden/pacman-pmod-oled/frame-NNN.png`
//! pixel for pixel, and its cells have the panel's pixel aspect.
//!
//! The server sends the headers of cross-origin isolation (COOP `same-origin`, COEP
//! `require-corp`), so the page can play: a second test loads it without `pace=none`, presses
//! arrow keys and the on-screen pad in it (`host/js/src/play-page.mjs`) and sees the game
//! respond: before the keys the corner of the panel says `AUTO` as in the golden frames, after
//! them it does not (`YOU`), and the virtual board got the three presses. With `WASI_HAL_UPDATE_SCREENSHOTS=1` it writes the
//! page as it played to `docs/images/web-page.png` (README shows it); otherwise it checks that
//! the picture is there.

mod js_host;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use wasi_hal_sim::Frame;

/// Serves the files under `root` on 127.0.0.1 (a free port) from a background thread, for as
/// long as the test process lives. Returns the base URL.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot listen on 127.0.0.1");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                // A broken connection only concerns the browser, which reports it.
                let _ = respond(stream, &root);
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Answers one HTTP/1.1 GET with the file it names under `root` (never outside it), then
/// closes the connection.
fn respond(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let relative = path.trim_start_matches('/');
    let file = if relative.is_empty() {
        root.join("index.html")
    } else {
        root.join(relative)
    };
    let inside = !relative.split('/').any(|part| part == "..");
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(body) if inside => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
                Some("wasm") => "application/wasm",
                _ => "application/octet-stream",
            };
            ("200 OK", body, kind)
        }
        _ => (
            "404 Not Found",
            b"not found".to_vec(),
            "text/plain; charset=utf-8",
        ),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nCross-Origin-Opener-Policy: same-origin\r\n\
         Cross-Origin-Embedder-Policy: require-corp\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// The canvas screenshot `shot` scaled down to the panel: the colour in the middle of each
/// `cell_w` x `cell_h` cell.
fn scale_down(shot: &Frame, cell_w: u32, cell_h: u32) -> Frame {
    let (width, height) = (shot.width / cell_w, shot.height / cell_h);
    let mut frame = Frame::black(width, height);
    for y in 0..height {
        for x in 0..width {
            let rgb = shot
                .pixel(x * cell_w + cell_w / 2, y * cell_h + cell_h / 2)
                .expect("inside the screenshot");
            frame.set_pixel(x, y, rgb);
        }
    }
    frame
}

#[test]
fn the_web_page_in_chromium_shows_the_golden_frames() {
    let js = js_host::js_dir();
    let site = js_host::scratch("web").join("web");
    js_host::run(
        js_host::node("src/build-web.mjs")
            .arg(js_host::virtual_pacman())
            .arg(&site),
        "node build-web.mjs",
    );
    for file in [
        "index.html",
        "main.js",
        "worker.js",
        "composition/composition.js",
    ] {
        assert!(site.join(file).exists(), "the page has no {file}");
    }
    let base = serve(site.clone());

    let frames = [1u64, 90, 150];
    let shots_dir = js_host::scratch("shots");
    let mut cmd = js_host::node("src/screenshot-page.mjs");
    for n in frames {
        cmd.arg(format!("{base}/index.html?frames={n}&pace=none"))
            .arg(shots_dir.join(format!("frame-{n:03}.png")));
    }
    if let Some(chromium) = std::env::var_os("WASI_HAL_CHROMIUM") {
        cmd.env("WASI_HAL_CHROMIUM", chromium);
    }
    cmd.current_dir(&js);
    let out = js_host::run(&mut cmd, "node screenshot-page.mjs (headless Chromium)");
    let reports: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("screenshot-page.mjs prints JSON lines"))
        .collect();
    assert_eq!(reports.len(), frames.len(), "{reports:?}");

    for (n, report) in frames.iter().zip(&reports) {
        assert_eq!(report["state"], "done", "{report}");
        assert_eq!(
            report["errors"].as_array().map(Vec::len),
            Some(0),
            "the page logged errors: {report}"
        );
        assert_eq!(
            report["framesShown"], report["framesReceived"],
            "the page showed every frame it got: {report}"
        );
        let cell = |key: &str| -> u32 {
            report[key]
                .as_str()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("the page reports no {key}: {report}"))
        };
        let (cell_w, cell_h) = (cell("cellWidth"), cell("cellHeight"));
        let shot = wasi_hal_sim_render::load_png(&shots_dir.join(format!("frame-{n:03}.png")))
            .unwrap_or_else(|e| panic!("{e:#}"));
        let golden = js_host::golden_pacman_frame(*n);
        assert_eq!(
            (shot.width, shot.height),
            (golden.width * cell_w, golden.height * cell_h),
            "the canvas is the panel's pixels times the cell size"
        );
        // The Pmod OLED's glass (UG-2832HSWEG04) has square pixels, 0.175 mm both ways: its
        // 22.4 x 5.6 mm image is four times as wide as it is high, and so is the canvas.
        assert_eq!(cell_w, cell_h, "the panel's pixels are square");
        assert!(cell_w > 1, "the canvas is drawn larger than the panel");
        let seen = scale_down(&shot, cell_w, cell_h);
        if seen != golden {
            let saved = shots_dir.join(format!("frame-{n:03}.scaled.png"));
            wasi_hal_sim_render::save_png(&seen, &saved).unwrap();
            let differing = (0..golden.height)
                .flat_map(|y| (0..golden.width).map(move |x| (x, y)))
                .filter(|&(x, y)| seen.pixel(x, y) != golden.pixel(x, y))
                .count();
            panic!(
                "the page after {n} frames differs from frame-{n:03}.png in {differing} pixels \
                 (scaled-down screenshot: {})",
                saved.display()
            );
        }
        // Every pixel of a cell has the cell's colour: the canvas is not smoothed.
        for y in 0..shot.height {
            for x in 0..shot.width {
                assert_eq!(
                    shot.pixel(x, y),
                    seen.pixel(x / cell_w, y / cell_h),
                    "screenshot pixel ({x}, {y})"
                );
            }
        }
    }
}

/// Where the game's score, lives, level and who steers are drawn: x 108 to 127.
const HUD_X: u32 = 108;

/// The corner where the game says who steers (`AUTO` or `YOU`): x 108 to 127, y 26 to 31,
/// lit or not.
fn who(frame: &Frame) -> Vec<Vec<bool>> {
    (26..32)
        .map(|y| {
            (HUD_X..128)
                .map(|x| frame.pixel(x, y).is_some_and(|p| p != [0, 0, 0]))
                .collect()
        })
        .collect()
}

#[test]
fn the_web_page_plays_with_the_arrow_keys() {
    let js = js_host::js_dir();
    let site = js_host::scratch("play").join("web");
    js_host::run(
        js_host::node("src/build-web.mjs")
            .arg(js_host::virtual_pacman())
            .arg(&site),
        "node build-web.mjs",
    );
    let base = serve(site.clone());
    let shots = js_host::scratch("play-shots");
    let (before, after, whole) = (
        shots.join("before.png"),
        shots.join("after.png"),
        shots.join("page.png"),
    );
    let mut cmd = js_host::node("src/play-page.mjs");
    cmd.arg(format!("{base}/index.html"))
        .args([&before, &after, &whole]);
    if let Some(chromium) = std::env::var_os("WASI_HAL_CHROMIUM") {
        cmd.env("WASI_HAL_CHROMIUM", chromium);
    }
    cmd.current_dir(&js);
    let out = js_host::run(&mut cmd, "node play-page.mjs (headless Chromium)");
    let report: Value = serde_json::from_slice(&out.stdout).expect("play-page.mjs prints JSON");
    assert_eq!(report["mode"], "play", "{report}");
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(0),
        "the page logged errors: {report}"
    );
    let number = |key: &str| -> u32 {
        report[key]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("the page reports no {key}: {report}"))
    };
    assert_eq!(
        number("presses"),
        3,
        "the board got both key presses and the pad's: {report}"
    );
    let (cell_w, cell_h) = (number("cellWidth"), number("cellHeight"));
    let load = |path: &Path| {
        let shot = wasi_hal_sim_render::load_png(path).unwrap_or_else(|e| panic!("{e:#}"));
        scale_down(&shot, cell_w, cell_h)
    };
    let (before, after) = (load(&before), load(&after));
    let golden = js_host::golden_pacman_frame(90);
    assert_eq!(who(&before), who(&golden), "AUTO steers before any key");
    assert_ne!(
        who(&after),
        who(&golden),
        "the corner still says AUTO after the arrow keys"
    );
    // The maze is still the maze: its walls (lit in frames 1, 90 and 150) are all there.
    let frames = [1, 90, 150].map(js_host::golden_pacman_frame);
    let lit = |f: &Frame, x, y| f.pixel(x, y).is_some_and(|p| p != [0, 0, 0]);
    for y in 0..golden.height {
        for x in 0..HUD_X {
            if frames.iter().all(|f| lit(f, x, y)) {
                assert!(lit(&after, x, y), "the wall pixel ({x}, {y}) is missing");
            }
        }
    }

    let picture = js_host::root().join("docs/images/web-page.png");
    if std::env::var_os("WASI_HAL_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
        std::fs::copy(&whole, &picture).unwrap();
    } else {
        assert!(
            picture.exists(),
            "{} is missing: run this test with WASI_HAL_UPDATE_SCREENSHOTS=1",
            picture.display()
        );
    }
}
