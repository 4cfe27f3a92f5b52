//! What the workspace holds, where outputs go, and how cargo is run.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository root")
        .to_path_buf()
}

/// Where `cargo xtask build` puts binary WIT packages and components.
pub fn output_dir() -> PathBuf {
    root().join("target").join("wasi-hal")
}

/// What kind of guest a workspace package is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestKind {
    /// A driver under drivers/: a cdylib component exporting a device class.
    Driver,
    /// A guest library under drivers/, apps/ or virtual-boards/ (no component of its own).
    Library,
    /// An app under apps/: a command component.
    App,
    /// A test program crate under tests/programs/ (cdylib examples).
    TestPrograms,
    /// A virtual board under virtual-boards/: a cdylib component exporting the bus interfaces.
    VirtualBoard,
    /// An adapter under adapters/: a component that exports other projects' interfaces on top
    /// of ours (a cdylib), or a command that starts another project's app (a bin).
    Adapter,
}

/// A guest crate of the workspace.
#[derive(Clone, Debug)]
pub struct Guest {
    /// Cargo package name.
    pub name: String,
    /// Where it sits.
    pub kind: GuestKind,
    /// `[package.metadata.wasi-hal] native-tests = true`: its unit tests also run natively.
    pub native_tests: bool,
    /// Its component is a binary target (`--bins`), not the library (`--lib`).
    pub bin: bool,
}

/// The workspace's packages, split into host-side and guest crates.
pub struct Workspace {
    /// Names of every guest crate (built only for wasm32-wasip2).
    pub guests: Vec<String>,
    /// The guest crates with their kinds.
    pub guest_crates: Vec<Guest>,
}

impl Workspace {
    /// Reads the workspace with `cargo metadata`.
    pub fn load() -> Result<Self> {
        let out = Command::new(cargo_bin())
            .current_dir(root())
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .context("failed to run cargo metadata")?;
        if !out.status.success() {
            bail!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let meta: serde_json::Value =
            serde_json::from_slice(&out.stdout).context("cargo metadata printed invalid JSON")?;
        let root = root();
        let mut guest_crates = Vec::new();
        for package in meta["packages"].as_array().into_iter().flatten() {
            let name = package["name"].as_str().unwrap_or_default().to_string();
            let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap_or_default());
            let rel = manifest.strip_prefix(&root).unwrap_or(&manifest);
            let is_cdylib = package["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| {
                    t["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "cdylib"))
                });
            let has_bin = package["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| {
                    t["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "bin"))
                });
            let kind = if rel.starts_with("drivers") || rel.starts_with("apps") {
                match (is_cdylib, has_bin) {
                    (true, _) => GuestKind::Driver,
                    (false, true) => GuestKind::App,
                    (false, false) => GuestKind::Library,
                }
            } else if rel.starts_with("adapters") {
                if !is_cdylib && !has_bin {
                    continue;
                }
                GuestKind::Adapter
            } else if rel.starts_with("virtual-boards") {
                if is_cdylib {
                    GuestKind::VirtualBoard
                } else {
                    GuestKind::Library
                }
            } else if rel.starts_with("tests/programs")
                && !rel.starts_with("tests/programs/artifacts")
            {
                GuestKind::TestPrograms
            } else {
                continue;
            };
            let native_tests = package["metadata"]["wasi-hal"]["native-tests"]
                .as_bool()
                .unwrap_or(false);
            guest_crates.push(Guest {
                name,
                kind,
                native_tests,
                bin: !is_cdylib && has_bin,
            });
        }
        guest_crates.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self {
            guests: guest_crates.iter().map(|g| g.name.clone()).collect(),
            guest_crates,
        })
    }
}

/// The cargo that runs this task (so `cargo +toolchain xtask` stays on that toolchain).
pub fn cargo_bin() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs cargo with `args` in the repository root, echoing the command; fails if cargo fails.
pub fn cargo(args: &[&str]) -> Result<()> {
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(root()).args(args);
    run(&mut cmd)
}

/// Test counts summed over `cargo test` runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestCounts {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
    /// Tests that were ignored.
    pub ignored: u64,
}

/// Runs `cargo test` with `args`, passing its output through, and adds up the counts of its
/// `test result:` lines into `counts` (even when it fails, so the summary is honest).
pub fn cargo_test(args: &[&str], counts: &mut TestCounts) -> Result<()> {
    use std::io::{BufRead, BufReader, Write};
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(root())
        .args(args)
        .stdout(std::process::Stdio::piped());
    let line = format!("cargo {}", args.join(" "));
    eprintln!("    $ {line}");
    let mut child = cmd
        .spawn()
        .with_context(|| format!("failed to start `{line}`"))?;
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout().lock();
        for text in BufReader::new(stdout).lines() {
            let text = text.context("failed to read the output of cargo test")?;
            let _ = writeln!(out, "{text}");
            if let Some(rest) = text.strip_prefix("test result: ") {
                // `ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in …`
                let rest = rest
                    .trim_start_matches("ok. ")
                    .trim_start_matches("FAILED. ");
                let number = |label: &str| -> u64 {
                    rest.split(';')
                        .find_map(|part| part.trim().strip_suffix(label))
                        .and_then(|n| n.trim().parse().ok())
                        .unwrap_or(0)
                };
                counts.passed += number(" passed");
                counts.failed += number(" failed");
                counts.ignored += number(" ignored");
            }
        }
    }
    let status = child
        .wait()
        .with_context(|| format!("`{line}` did not finish"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs a command, echoing it; fails with the command line if it fails. Called inside a
/// [`step`], which times it and shows it is alive.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = command_line(cmd);
    eprintln!("    $ {line}");
    let status = cmd
        .status()
        .with_context(|| format!("failed to start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// A command as a shell would show it.
fn command_line(cmd: &Command) -> String {
    format!(
        "{} {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// One step of a task: prints `==> what` before it starts and `==> what: done (12.3 s)` (or
/// `failed after`) when it ends, so that no minute passes without a word.
pub fn step<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    eprintln!("==> {what}");
    let start = Instant::now();
    let alive = Heartbeat::start(what);
    let result = f();
    drop(alive);
    let took = duration(start.elapsed());
    match &result {
        Ok(_) => eprintln!("==> {what}: done ({took})"),
        Err(_) => eprintln!("==> {what}: failed after {took}"),
    }
    result
}

/// How often a long command says it is still running.
const HEARTBEAT: Duration = Duration::from_secs(30);

/// While it lives, prints `    still WHAT ... 2m30s` every 30 s when stderr is not a
/// terminal (a CI log, a pipe), where cargo, rustup, apt and npm draw no progress bar and a
/// long compile would otherwise be a silent minute. In a terminal their progress bars show
/// that they are alive, and a line printed through them would break the bar.
struct Heartbeat {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    fn start(what: &str) -> Self {
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Self {
                stop: None,
                thread: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let what = shorten(what);
        let start = Instant::now();
        let thread = std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(HEARTBEAT) {
                eprintln!("    still {what} ... {}", duration(start.elapsed()));
            }
        });
        Self {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A step's label cut to its first 80 characters, for the heartbeat.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(80) {
        Some((at, _)) => format!("{} ...", &line[..at]),
        None => line.to_string(),
    }
}

/// `12.3 s` under a minute, `4m12s` above.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_seconds_then_minutes() {
        assert_eq!(duration(Duration::from_millis(12_340)), "12.3 s");
        assert_eq!(duration(Duration::from_secs(150)), "2m30s");
        assert_eq!(duration(Duration::from_secs(3_605)), "60m05s");
    }

    #[test]
    fn long_command_lines_are_cut_for_the_heartbeat() {
        assert_eq!(shorten("cargo build"), "cargo build");
        let long = "x".repeat(200);
        assert_eq!(shorten(&long), format!("{} ...", "x".repeat(80)));
    }
}
