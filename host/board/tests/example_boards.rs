//! Every board in `boards/` is valid; the simulated ones build, the Raspberry Pi ones only parse
//! (their Linux devices are not present here).

use std::path::{Path, PathBuf};
use wasi_hal_board::{Backend, Board, BoardFile, ErrorKind, PartKind};

fn boards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../boards")
}

fn board_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(boards_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_board_parses_and_the_simulated_ones_build() {
    let files = board_files();
    assert!(files.len() >= 7, "{files:?}");
    let (mut simulated, mut linux) = (0, 0);
    for path in files {
        let file = BoardFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let name = path.file_stem().unwrap().to_str().unwrap();
        assert_eq!(file.name, name, "board.name matches the file name");
        match file.backend {
            Backend::Simulated => {
                assert!(name.starts_with("sim-"), "{name}");
                let board = Board::build(file).unwrap_or_else(|e| panic!("{e}"));
                assert!(board.simulated().is_some());
                simulated += 1;
            }
            Backend::Linux => {
                assert!(name.starts_with("rpi-"), "{name}");
                // Building opens the device nodes, which are not here: a Backend error naming
                // the node's key. (Discovery would scan this machine's /dev: parse only.)
                let nodes_absent = file.spi.values().any(|e| match &e.backend {
                    wasi_hal_board::SpiSource::Linux { path } => !path.exists(),
                    _ => false,
                }) || file.i2c.values().any(|e| match &e.backend {
                    wasi_hal_board::I2cSource::Linux { path } => !path.exists(),
                    _ => false,
                });
                if file.discovery.is_none() && nodes_absent {
                    let e = Board::build(file).unwrap_err();
                    assert_eq!(e.kind(), ErrorKind::Backend, "{e}");
                    assert!(e.key().is_some_and(|k| k.ends_with(".device")), "{e}");
                    assert!(e.location().is_some(), "{e}");
                }
                linux += 1;
            }
        }
    }
    assert!(
        simulated >= 3 && linux >= 3,
        "{simulated} simulated, {linux} linux"
    );
}

/// The simulated boards and their Raspberry Pi twins offer the same names with the same policy,
/// so one guest runs on both.
#[test]
fn simulated_boards_match_their_raspberry_pi_twins() {
    for (sim, rpi) in [
        ("sim-pacman-pmod-oled", "rpi-pacman-pmod-oled"),
        ("sim-ssd1306-i2c", "rpi-ssd1306-i2c"),
        ("sim-weather", "rpi-weather"),
        ("sim-buzzer-gpio", "rpi-buzzer-gpio"),
        ("sim-buzzer-pwm", "rpi-buzzer-pwm"),
        ("sim-weather-dht22", "rpi-weather-dht22"),
    ] {
        let sim = BoardFile::load(boards_dir().join(format!("{sim}.toml"))).unwrap();
        let rpi = BoardFile::load(boards_dir().join(format!("{rpi}.toml"))).unwrap();
        let names = |f: &BoardFile| {
            f.names()
                .map(|(t, n)| format!("{t}.{n}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&sim), names(&rpi), "{} vs {}", sim.name, rpi.name);
        for (name, entry) in &sim.spi {
            assert_eq!(entry.policy, rpi.spi[name].policy, "spi.{name}");
        }
        for (name, entry) in &sim.gpio {
            let (s, r) = (entry.policy, rpi.gpio[name].policy);
            assert_eq!((s.input, s.output), (r.input, r.output), "gpio.{name}");
            // Levels matter for outputs; a simulated input line starts at its part's level.
            if s.output {
                assert_eq!((s.initial, s.safe), (r.initial, r.safe), "gpio.{name}");
            }
        }
        for (name, entry) in &sim.i2c {
            assert_eq!(
                entry.policy.addresses, rpi.i2c[name].policy.addresses,
                "i2c.{name}"
            );
        }
        for (name, entry) in &sim.pwm {
            assert_eq!(entry.policy, rpi.pwm[name].policy, "pwm.{name}");
        }
        assert_eq!(sim.config, rpi.config, "{} vs {}", sim.name, rpi.name);
    }
}

#[test]
fn pacman_board_has_the_pmod_oled_wiring() {
    let file = BoardFile::load(boards_dir().join("sim-pacman-pmod-oled.toml")).unwrap();
    let Some(PartKind::Ssd1306(oled)) = file.part("oled").map(|p| &p.kind) else {
        panic!("no ssd1306 part named oled");
    };
    assert_eq!(oled.panel, wasi_hal_board::PanelSize::W128H32);
    assert_eq!(oled.res.as_deref(), Some("oled-res"));
    assert_eq!(oled.vbat.as_deref(), Some("oled-vbatc"));
    assert_eq!(oled.vdd.as_deref(), Some("oled-vddc"));
    let buttons = file
        .parts
        .iter()
        .filter(|p| matches!(p.kind, PartKind::Button(_)))
        .count();
    assert_eq!(buttons, 4);
    // The Pi twin: SPI0 CE0 and the BCM lines from the wiring table in the file.
    let rpi = BoardFile::load(boards_dir().join("rpi-pacman-pmod-oled.toml")).unwrap();
    assert_eq!(
        rpi.spi["oled"].backend,
        wasi_hal_board::SpiSource::Linux {
            path: "/dev/spidev0.0".into()
        }
    );
    let line = |name: &str| match &rpi.gpio[name].backend {
        wasi_hal_board::GpioSource::Linux { line, .. } => *line,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        ["oled-dc", "oled-res", "oled-vbatc", "oled-vddc"].map(line),
        [17, 27, 22, 23]
    );
    assert_eq!(
        ["btn-up", "btn-down", "btn-left", "btn-right"].map(line),
        [5, 6, 13, 19]
    );
}

/// The complete example in docs/board-file.md is a valid board.
#[test]
fn documented_example_is_valid() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/board-file.md"),
    )
    .unwrap();
    let start = doc
        .find("## Complete example")
        .expect("docs/board-file.md has a `## Complete example` section");
    let rest = &doc[start..];
    let open = rest.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let close = rest[open..].find("```").expect("the block ends") + open;
    let file = BoardFile::parse(&rest[open..close], "docs/board-file.md")
        .unwrap_or_else(|e| panic!("{e}"));
    let board = Board::build(file).unwrap_or_else(|e| panic!("{e}"));
    assert!(board.simulated().is_some());
}
