//! `wasi-hal`: run components on a board, simulated by default.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;
use wasi_hal::{Limits, Outcome, RunOptions, StopReason};

/// Run WebAssembly components with hardware: SPI, I2C, GPIO and delays from a board file.
#[derive(Parser)]
#[command(name = "wasi-hal", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a component's `wasi:cli/run` on a board.
    Run(RunArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// The component to run (an app composed with its drivers).
    component: PathBuf,
    /// The board file: what the guest may open, and what is behind each name.
    #[arg(long, value_name = "BOARD.toml")]
    board: PathBuf,
    /// Pace simulated time to the wall clock, for watching.
    #[arg(long)]
    realtime: bool,
    /// Stop the app after N frames (passed to the guest as `--frames N`).
    #[arg(long, value_name = "N")]
    frames: Option<u64>,
    /// Save the last image of each simulated display as PNG.
    #[arg(long, value_name = "OUT.png")]
    screenshot: Option<PathBuf>,
    /// Save the run of each simulated display as an animation (.gif, .png/.apng).
    #[arg(long, value_name = "OUT.gif")]
    record: Option<PathBuf>,
    /// Save every bus transaction and GPIO edge with its simulated time (JSON lines).
    #[arg(long, value_name = "OUT.jsonl")]
    trace: Option<PathBuf>,
    /// Do not draw the simulated displays in the terminal (and read no keys).
    #[arg(long)]
    no_view: bool,
    /// A key of the live view and the button part it presses (repeatable; KEY is up, down,
    /// left, right, space, enter, or a letter or digit other than q). Any --key replaces the
    /// default map: arrows and WASD on the buttons up, down, left and right. See docs/play.md.
    #[arg(long = "key", value_name = "KEY=BUTTON", value_parser = parse_key_value)]
    keys: Vec<(String, String)>,
    /// Largest linear memory the guest may use, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    max_memory_mib: usize,
    /// Longest the guest may compute without calling the host, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    watchdog_ms: u64,
    /// A `wasi:config` value for the guest (repeatable); overrides the board file's `[config]`.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    config: Vec<(String, String)>,
    /// Run the guest in Wasmtime's portable interpreter (Pulley) instead of compiling it to
    /// machine code, for hosts where no JIT is allowed (several times slower).
    #[arg(long)]
    interpreter: bool,
    /// Compile the component even when it was compiled before, and keep nothing: by default
    /// the machine code is cached in $WASI_HAL_CACHE/compiled (default
    /// ~/.cache/wasi-hal/compiled), keyed by Wasmtime's settings and the component's hash.
    #[arg(long)]
    no_cache: bool,
    /// Arguments for the guest.
    #[arg(last = true)]
    guest_args: Vec<String>,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))
}

fn main() {
    let cli = Cli::parse();
    let Command::Run(args) = cli.command;
    let options = RunOptions {
        component: args.component,
        board: args.board,
        realtime: args.realtime,
        frames: args.frames,
        screenshot: args.screenshot,
        record: args.record,
        trace: args.trace,
        live_view: !args.no_view,
        keys: args.keys,
        limits: Limits {
            max_memory_bytes: args.max_memory_mib.saturating_mul(1 << 20),
            watchdog: Duration::from_millis(args.watchdog_ms),
        },
        config: args.config,
        guest_args: args.guest_args,
        interpreter: args.interpreter,
        cache: if args.no_cache {
            None
        } else {
            wasi_hal::cache::default_dir()
        },
    };
    match wasi_hal::run(&options) {
        Ok(Outcome::Success | Outcome::Stopped(StopReason::Quit)) => {}
        Ok(Outcome::Stopped(StopReason::Interrupt)) => {
            eprintln!("interrupted; GPIO outputs were restored to their safe levels");
            std::process::exit(130);
        }
        Ok(Outcome::GuestError) => {
            eprintln!("error: the guest's run returned an error");
            std::process::exit(1);
        }
        Ok(Outcome::Trapped(message)) => {
            eprintln!(
                "error: the guest trapped; GPIO outputs were restored to their safe levels\n{message}"
            );
            std::process::exit(3);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}
