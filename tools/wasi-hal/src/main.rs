//! `wasi-hal`: run components on a board, simulated by default.

use anyhow::{Context, Result, anyhow, bail};
use clap::{CommandFactory, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
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
    ///
    /// Options go before the component. After it, options of `run` are still taken until the
    /// first argument that is not one: from there on, and after `--`, everything goes to the
    /// guest. So `wasi-hal run --board B` can be a cargo `runner`.
    Run(RunArgs),
    /// Show what a component imports and exports, and (with --board) what serves each import.
    Inspect(InspectArgs),
    /// Check a board file and list what it offers to guests.
    Check(CheckArgs),
    /// Compile a component to machine code for this kind of machine (a .cwasm file that `run`
    /// loads without compiling).
    Compile(CompileArgs),
    /// Bring a device up: run every component of a device file on its board, each isolated,
    /// preempted, restarted on failure, until SIGTERM or SIGINT (SIGHUP reloads the file).
    Up(UpArgs),
    /// Show the state of each component of a running device (`wasi-hal up`).
    Status(StatusArgs),
    /// Subscribe to the fleet's MQTT broker and serve its live dashboard (docs/fleet.md).
    Hub(HubArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The address `wasi-hal up` serves its status on unless told otherwise.
const DEFAULT_STATUS_ADDR: &str = "127.0.0.1:7117";

#[derive(clap::Args)]
struct UpArgs {
    /// The device file (docs/device-file.md).
    #[arg(value_name = "DEVICE.toml")]
    device: PathBuf,
    /// Check the device file, its board, every grant and each component's imports, then exit
    /// without running anything.
    #[arg(long)]
    check: bool,
    /// Run a simulated board in virtual time: as fast as it goes and the same every run
    /// (docs/runtime.md). Without it a simulated board runs in real time.
    #[arg(long)]
    virtual_time: bool,
    /// Stop after this long on the device's clock (e.g. 10s, 2m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_time: Option<Duration>,
    /// Serve the status (for `wasi-hal status`) on this loopback address; port 0 picks one.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_STATUS_ADDR)]
    status: std::net::SocketAddr,
    /// Serve no status.
    #[arg(long)]
    no_status: bool,
    /// Compile every component afresh instead of using the precompiled cache.
    #[arg(long)]
    no_cache: bool,
}

#[derive(clap::Args)]
struct StatusArgs {
    /// Where the device serves its status (`wasi-hal up --status`).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_STATUS_ADDR)]
    addr: std::net::SocketAddr,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct HubArgs {
    /// The broker: `mqtt://host[:port]` or `mqtts://host[:port]`.
    #[arg(
        long,
        value_name = "URL",
        env = "WASI_HAL_BROKER",
        required_unless_present = "broker_file"
    )]
    broker: Option<String>,
    /// The broker's settings as a TOML file with the broker keys of a device file's
    /// `[telemetry]` table (url, username, password, ca-cert, client-cert, client-key,
    /// keep-alive-s); instead of --broker.
    #[arg(long, value_name = "BROKER.toml", conflicts_with = "broker")]
    broker_file: Option<PathBuf>,
    /// Where to serve the dashboard (another address than 127.0.0.1 opens it to the network).
    #[arg(long, value_name = "ADDRESS:PORT", default_value = wasi_hal_hub::DEFAULT_LISTEN)]
    listen: std::net::SocketAddr,
    /// The folder with the page's chart library (default: target/wasi-hal/hub of this
    /// checkout, which `cargo xtask build` fills).
    #[arg(long, value_name = "DIR")]
    assets: Option<PathBuf>,
    /// The hub's MQTT client id: the broker keeps its session (and what arrives while it is
    /// away) under this name.
    #[arg(long, value_name = "ID", default_value = wasi_hal_hub::DEFAULT_CLIENT_ID)]
    client_id: String,
}

#[derive(clap::Args)]
struct RunArgs {
    /// The board file: what the guest may open, and what is behind each name.
    #[arg(long, value_name = "BOARD.toml", env = "WASI_HAL_BOARD")]
    board: PathBuf,
    /// Pace simulated time to the wall clock, for watching.
    #[arg(long)]
    realtime: bool,
    /// Stop after N frames: passed to the guest as `--frames N`, and the host stops a guest
    /// that would show more.
    #[arg(long, value_name = "N")]
    frames: Option<u64>,
    /// Stop the guest after this much time: simulated time on a simulated board, wall time with
    /// --realtime or on real hardware (e.g. 10s, 1500ms, 2m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_time: Option<Duration>,
    /// Save the last image of each simulated display as PNG.
    #[arg(long, value_name = "OUT.png")]
    screenshot: Option<PathBuf>,
    /// Save the run of each simulated display as an animation (.gif, .png/.apng).
    #[arg(long, value_name = "OUT.gif")]
    record: Option<PathBuf>,
    /// Draw every pixel of screenshots and recordings as an N x N square.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    scale: u32,
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
    /// Largest component file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    max_component_mib: u64,
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
    /// The component to run (an app composed with its drivers), or a .cwasm from `wasi-hal
    /// compile`.
    component: PathBuf,
    /// Arguments for the guest.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "GUEST_ARGS"
    )]
    guest_args: Vec<String>,
}

#[derive(clap::Args)]
struct InspectArgs {
    /// The component (or a .cwasm from `wasi-hal compile`).
    component: PathBuf,
    /// A board file: say which of its entries serves each import.
    #[arg(long, value_name = "BOARD.toml", env = "WASI_HAL_BOARD")]
    board: Option<PathBuf>,
    /// Largest component file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    max_component_mib: u64,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The board file.
    board: PathBuf,
}

#[derive(clap::Args)]
struct CompileArgs {
    /// The component to compile.
    component: PathBuf,
    /// Where to write the machine code.
    #[arg(short, long, value_name = "OUT.cwasm")]
    output: PathBuf,
    /// Compile to bytecode for Wasmtime's portable interpreter (run it with `run
    /// --interpreter`).
    #[arg(long)]
    interpreter: bool,
    /// The memory limit it will run under, in MiB (as `run --max-memory-mib`: the two must
    /// agree).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    max_memory_mib: usize,
    /// Largest component file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    max_component_mib: u64,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))
}

/// `10s`, `1500ms`, `2m`, `1h`, `250us`, or a plain number of seconds (`2.5`).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 10s, 1500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1e3,
        "us" => value / 1e6,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "`{other}` is not a unit of time (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{s}` is not a usable duration"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run(args),
        Command::Inspect(args) => report(inspect(&args)),
        Command::Check(args) => report(check(&args.board)),
        Command::Compile(args) => report(compile(&args)),
        Command::Up(args) => up(args),
        Command::Status(args) => report(status(&args)),
        Command::Hub(args) => report(hub(args)),
        Command::Completions { shell } => {
            // Written in one piece, so that a closed pipe (`| head`) is an error, not a panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "wasi-hal", &mut script);
            use std::io::Write as _;
            match std::io::stdout().write_all(&script) {
                Ok(()) => 0,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(e) => report(Err(anyhow!("cannot write the completion script: {e}"))),
            }
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// `wasi-hal hub`: runs the hub until Ctrl-C or SIGTERM.
fn hub(args: HubArgs) -> Result<()> {
    let broker = match (&args.broker_file, &args.broker) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            wasi_hal_telemetry::BrokerConfig::from_toml(&text, file)?
        }
        (None, Some(url)) => wasi_hal_telemetry::BrokerConfig::new(url.clone()),
        (None, None) => bail!("--broker or --broker-file is needed"),
    };
    let mut config = wasi_hal_hub::HubConfig::new(broker);
    config.listen = args.listen;
    config.client_id = args.client_id;
    if let Some(assets) = args.assets {
        config.assets = Some(assets);
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("cannot watch SIGTERM")?;
        let shutdown = async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        };
        wasi_hal_hub::run(config, shutdown).await
    })
}

/// 0 for `Ok`; the error on stderr and 2 for `Err`.
fn report(result: Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

fn run(args: RunArgs) -> i32 {
    let stop = Arc::new(wasi_hal::StopRequest::default());
    let _signals = match wasi_hal::signals::watch(stop.clone()) {
        Ok(watch) => Some(watch),
        Err(e) => {
            eprintln!("warning: {e:#}; Ctrl-C will end wasi-hal without saving");
            None
        }
    };
    let options = RunOptions {
        component: args.component,
        board: args.board,
        realtime: args.realtime,
        frames: args.frames,
        max_time: args.max_time,
        scale: args.scale,
        max_component_bytes: args.max_component_mib.saturating_mul(1 << 20),
        stop,
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
    let report = match wasi_hal::run_with_report(&options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e:#}");
            return 2;
        }
    };
    const RESTORED: &str = "GPIO outputs were restored to their safe levels";
    match &report.outcome {
        Outcome::Success | Outcome::Exit(_) => {}
        Outcome::GuestError => eprintln!("error: the guest's run returned an error"),
        Outcome::Trapped(message) => {
            eprintln!("error: the guest trapped; {RESTORED}\n{message}")
        }
        Outcome::LimitExceeded(message) => eprintln!("error: {message}; {RESTORED}"),
        // `q` in the live view is the person ending the run: nothing to report.
        Outcome::Stopped(StopReason::Quit) => {}
        Outcome::Stopped(reason @ StopReason::Frames(_)) => {
            eprintln!("wasi-hal: the guest was {reason}")
        }
        Outcome::Stopped(reason) => eprintln!("wasi-hal: the guest was {reason}; {RESTORED}"),
    }
    for e in &report.output_errors {
        eprintln!("error: {e:#}");
    }
    report.exit_code()
}

/// `wasi-hal inspect`: imports, exports, and what serves each import.
fn inspect(args: &InspectArgs) -> Result<()> {
    let path = &args.component;
    let (bytes, kind) =
        wasi_hal::component::read(path, args.max_component_mib.saturating_mul(1 << 20))?;
    let shape = match kind {
        wasi_hal::component::FileKind::Component => wasi_hal::component::shape(path, &bytes)?,
        wasi_hal::component::FileKind::Precompiled => {
            let engine = wasi_hal::engine()?;
            let component = wasi_hal::deserialize_precompiled(&engine, path, &bytes)?;
            let ty = component.component_type();
            wasi_hal::component::Shape {
                imports: ty.imports(&engine).map(|(n, _)| n.to_string()).collect(),
                exports: ty.exports(&engine).map(|(n, _)| n.to_string()).collect(),
                largest_initial_memory: 0,
            }
        }
    };
    let board = args
        .board
        .as_ref()
        .map(|b| wasi_hal_board::Board::load(b).map_err(|e| anyhow!("{e}")))
        .transpose()?;
    let mut out = String::new();
    out.push_str(&format!(
        "component: {} ({} bytes)\n",
        path.display(),
        bytes.len()
    ));
    if shape.largest_initial_memory > 0 {
        out.push_str(&format!(
            "largest initial memory: {} KiB\n",
            shape.largest_initial_memory >> 10
        ));
    }
    out.push_str("exports:\n");
    if shape.exports.is_empty() {
        out.push_str("  (none)\n");
    }
    for export in &shape.exports {
        out.push_str(&format!("  {export}\n"));
    }
    out.push_str("imports:\n");
    if shape.imports.is_empty() {
        out.push_str("  (none)\n");
    }
    let width = shape.imports.iter().map(String::len).max().unwrap_or(0);
    for import in &shape.imports {
        let served = match (wasi_hal::host_lacks(import), wasi_hal::provider_of(import)) {
            (Some(why), _) => format!("missing: {why}"),
            (None, Some(provider)) => {
                let host = match provider {
                    wasi_hal::Provider::Wasi => "host: WASI 0.2 (wasmtime-wasi)",
                    wasi_hal::Provider::Config => "host: wasi:config (board [config], --config)",
                    wasi_hal::Provider::Spi => "host: wasi-hal-spi",
                    wasi_hal::Provider::I2c => "host: wasi-hal-i2c",
                    wasi_hal::Provider::Gpio => "host: wasi-hal-gpio",
                    wasi_hal::Provider::Delay => "host: wasi-hal-delay",
                    wasi_hal::Provider::Pwm => "host: wasi-hal-pwm",
                    wasi_hal::Provider::Sensor => "host: wasi-hal-iio (board [sensor])",
                };
                match &board {
                    None => host.to_string(),
                    Some(board) => {
                        let entries = wasi_hal::board_entries(provider, board.file());
                        let needs_entry = matches!(
                            provider,
                            wasi_hal::Provider::Spi
                                | wasi_hal::Provider::I2c
                                | wasi_hal::Provider::Gpio
                                | wasi_hal::Provider::Pwm
                                | wasi_hal::Provider::Sensor
                        );
                        if entries.is_empty() && needs_entry {
                            format!("{host}; missing: the board has no entry of this kind")
                        } else if entries.is_empty() {
                            host.to_string()
                        } else {
                            format!("{host}; board: {}", entries.join(", "))
                        }
                    }
                }
            }
            (None, None) => "host".to_string(),
        };
        out.push_str(&format!("  {import:width$}  {served}\n"));
    }
    match wasi_hal::not_a_command(&path.display().to_string(), &shape.exports, &shape.imports) {
        None => out.push_str("runs with `wasi-hal run`: it exports wasi:cli/run\n"),
        Some(why) => out.push_str(&format!("does not run with `wasi-hal run`: {why}\n")),
    }
    print!("{out}");
    Ok(())
}

/// `wasi-hal check`: the board file is valid; what it offers.
fn check(path: &Path) -> Result<()> {
    let board = wasi_hal_board::Board::load(path).map_err(|e| anyhow!("{e}"))?;
    let file = board.file();
    let mut out = format!("{}: valid board file\n", path.display());
    out.push_str(&format!("name: {}\n", file.name));
    if let Some(description) = &file.description {
        out.push_str(&format!("description: {description}\n"));
    }
    out.push_str(&format!(
        "backend: {}\n",
        if board.simulated().is_some() {
            "simulated"
        } else {
            "linux"
        }
    ));
    out.push_str("offers (wasi:spi/spi, wasi:i2c/i2c, wasi:gpio/gpio, wasi:delay/delay @0.1.x):\n");
    for (name, spi) in &file.spi {
        let p = &spi.policy;
        out.push_str(&format!(
            "  [spi.{name}] SPI device: up to {} Hz, modes {:?}, at most {} bytes a call\n",
            p.max_frequency_hz, p.modes, p.max_transfer_bytes
        ));
    }
    for (name, i2c) in &file.i2c {
        let p = &i2c.policy;
        let addresses: Vec<String> = p.addresses.iter().map(|a| format!("{a:#04x}")).collect();
        out.push_str(&format!(
            "  [i2c.{name}] I2C bus at {} Hz: addresses {}, at most {} bytes a call\n",
            p.frequency_hz,
            addresses.join(", "),
            p.max_transfer_bytes
        ));
    }
    for (name, gpio) in &file.gpio {
        let p = &gpio.policy;
        let mut modes = Vec::new();
        if p.input {
            modes.push("input");
        }
        if p.output {
            modes.push("output");
        }
        let levels = if p.output {
            format!(", initial {:?}, safe {:?}", p.initial, p.safe)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  [gpio.{name}] GPIO line: {}{levels}\n",
            modes.join(" and ")
        ));
    }
    if file.spi.is_empty() && file.i2c.is_empty() && file.gpio.is_empty() {
        out.push_str("  no bus or line: a guest gets wasi:delay only\n");
    }
    if !file.config.is_empty() {
        let keys: Vec<&str> = file.config.keys().map(String::as_str).collect();
        out.push_str(&format!(
            "config (wasi:config/store): {}\n",
            keys.join(", ")
        ));
    }
    if let Some(sim) = board.simulated() {
        let displays: Vec<&str> = sim.display_names().collect();
        if !displays.is_empty() {
            out.push_str(&format!("simulated displays: {}\n", displays.join(", ")));
        }
    }
    print!("{out}");
    Ok(())
}

/// `wasi-hal compile`: machine code for this kind of machine, for `run` to load.
fn compile(args: &CompileArgs) -> Result<()> {
    let path = &args.component;
    let (bytes, kind) =
        wasi_hal::component::read(path, args.max_component_mib.saturating_mul(1 << 20))?;
    if kind == wasi_hal::component::FileKind::Precompiled {
        bail!("{} is already precompiled", path.display());
    }
    let engine = wasi_hal::engine_with(&wasi_hal::EngineOptions {
        interpreter: args.interpreter,
        max_memory_bytes: args.max_memory_mib.saturating_mul(1 << 20),
    })?;
    let component = wasi_hal::compile(&engine, path, &bytes)?;
    let serialized = component
        .serialize()
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot serialize the machine code of {}", path.display()))?;
    wasi_hal::cache::write_atomically(&args.output, &serialized, false)
        .with_context(|| format!("-o {}", args.output.display()))?;
    eprintln!(
        "compiled {} to {} ({} bytes of {})",
        path.display(),
        args.output.display(),
        serialized.len(),
        if args.interpreter {
            "Pulley bytecode"
        } else {
            "machine code for this kind of machine"
        }
    );
    Ok(())
}

/// `wasi-hal up`: 0 after a clean stop (a signal or `--max-time`), 2 when the device cannot
/// come up.
fn up(args: UpArgs) -> i32 {
    if args.check {
        return report(
            wasi_hal_runtime::Device::check(&args.device).map(|checked| {
                println!(
                    "{}: device `{}` on {}",
                    args.device.display(),
                    checked.device,
                    checked.board.display()
                );
                for line in checked.components {
                    println!("  {line}");
                }
                println!("ok");
            }),
        );
    }
    init_logs();
    let options = wasi_hal_runtime::UpOptions {
        device: args.device,
        cache: if args.no_cache {
            None
        } else {
            wasi_hal::cache::default_dir()
        },
        virtual_time: args.virtual_time,
        max_time: args.max_time,
        status: (!args.no_status).then_some(args.status),
        supply_cache: None,
    };
    let mut device = match wasi_hal_runtime::Device::load(options) {
        Ok(device) => device,
        Err(e) => {
            eprintln!("error: {e:#}");
            return 2;
        }
    };
    let control = wasi_hal_runtime::Control::default();
    let _signals = match wasi_hal::signals::watch_device(control.clone()) {
        Ok(watch) => Some(watch),
        Err(e) => {
            eprintln!("warning: {e:#}; signals will end wasi-hal without a clean stop");
            None
        }
    };
    match device.run(&control) {
        Ok(status) => {
            eprintln!(
                "wasi-hal: device `{}` stopped after {} ms; GPIO outputs were restored to their \
                 safe levels",
                status.device, status.uptime_ms
            );
            0
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

/// Log lines (the runtime's and the guests' output) on stderr; `RUST_LOG` filters them.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `wasi-hal status`: the status of a running device, as a table or JSON.
fn status(args: &StatusArgs) -> Result<()> {
    let body = wasi_hal::status_client::get_status(args.addr)?;
    if args.json {
        println!("{body}");
        return Ok(());
    }
    let status: wasi_hal_runtime::DeviceStatus = serde_json::from_str(&body)
        .with_context(|| format!("the answer of {} is not a device status", args.addr))?;
    println!(
        "device {} on {}, up {:.1} s{}",
        status.device,
        status.board,
        status.uptime_ms as f64 / 1000.0,
        if status.virtual_time {
            " (virtual time)"
        } else {
            ""
        }
    );
    println!(
        "{:<16} {:<7} {:<9} {:>10} {:>8}  LAST",
        "COMPONENT", "KIND", "STATE", "UPTIME", "RESTARTS"
    );
    for c in &status.components {
        let last = match (c.last_reading.is_empty(), &c.last_error) {
            (false, _) => c
                .last_reading
                .iter()
                .map(|r| format!("{} {:.2} {}", r.quantity, r.value, r.unit))
                .collect::<Vec<_>>()
                .join(", "),
            (true, Some(error)) => format!("error: {error}"),
            (true, None) => String::new(),
        };
        let state = serde_json::to_value(c.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!(
            "{:<16} {:<7} {:<9} {:>8.1} s {:>8}  {last}",
            c.name,
            c.kind,
            state,
            c.uptime_ms as f64 / 1000.0,
            c.restarts
        );
    }
    Ok(())
}
