//! A stand-in spoke for the fleet tests (tests/tests/fleet.rs) until `wasi-hal up` exists: a
//! node that publishes fixed simulated values through `wasi-hal-telemetry` and hands the
//! commands authorised for its `buzzer` component to a real component's
//! `wasi-hal:commands/handler` export (through `wasi-hal-commands` and Wasmtime).
//!
//! ```text
//! fleet-spoke --broker URL --node NAME --receiver COMPONENT.wasm [--interval-ms N]
//!             [--keep-alive-s N] QUANTITY=VALUE:UNIT...
//! ```
//!
//! Prints `READY` once connected, `COMMAND <component> <command> <payload> -> <answer>` for each
//! command, and on SIGTERM or SIGINT, after flushing, `SENT <delivered> DROPPED <dropped>
//! QUEUED <queued> PUBLISHED <published>`.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasi_hal_commands::CommandReceiver;
use wasi_hal_telemetry::{BrokerConfig, Reading, Telemetry, TelemetryOptions};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

struct Args {
    broker: String,
    node: String,
    receiver: String,
    interval: Duration,
    keep_alive_s: u64,
    values: Vec<(String, f64, String)>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut broker = None;
    let mut node = None;
    let mut receiver = None;
    let mut interval = Duration::from_millis(200);
    let mut keep_alive_s = 5;
    let mut values = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--broker" => broker = Some(value("--broker")?),
            "--node" => node = Some(value("--node")?),
            "--receiver" => receiver = Some(value("--receiver")?),
            "--interval-ms" => {
                let ms = value("--interval-ms")?;
                interval = Duration::from_millis(ms.parse().map_err(|_| format!("{ms:?}"))?)
            }
            "--keep-alive-s" => {
                let s = value("--keep-alive-s")?;
                keep_alive_s = s.parse().map_err(|_| format!("{s:?}"))?
            }
            spec => {
                let (quantity, rest) = spec
                    .split_once('=')
                    .ok_or(format!("{spec:?} is not QUANTITY=VALUE:UNIT"))?;
                let (number, unit) = rest.split_once(':').unwrap_or((rest, ""));
                let number: f64 = number.parse().map_err(|_| format!("{number:?}"))?;
                values.push((quantity.to_string(), number, unit.to_string()));
            }
        }
    }
    Ok(Args {
        broker: broker.ok_or("--broker is needed")?,
        node: node.ok_or("--node is needed")?,
        receiver: receiver.ok_or("--receiver is needed")?,
        interval,
        keep_alive_s,
        values,
    })
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("fleet-spoke: {e}");
            std::process::exit(2);
        }
    };
    let engine = Engine::default();
    let component = Component::from_file(&engine, &args.receiver).expect("the receiver loads");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate_async(&mut store, &component)
        .await
        .expect("the receiver instantiates");
    let receiver = CommandReceiver::new(&mut store, &instance).expect("it exports the handler");
    let accepted: Vec<String> = receiver
        .accepted(&mut store)
        .await
        .expect("accepted() works")
        .into_iter()
        .map(|c| c.name)
        .collect();

    let mut broker = BrokerConfig::new(args.broker);
    broker.keep_alive_s = args.keep_alive_s;
    let (telemetry, mut commands) = Telemetry::start(TelemetryOptions {
        node: args.node.clone(),
        broker,
        commands: BTreeMap::from([("buzzer".to_string(), accepted)]),
        discovery: true,
    })
    .expect("valid telemetry options");

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM can be watched");
    let mut tick = tokio::time::interval(args.interval);
    let mut last = 0u64;
    let mut published = 0u64;
    let mut ready = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if !ready && telemetry.stats().connected {
                    ready = true;
                    say("READY");
                }
                let timestamp = now_ms().max(last + 1);
                last = timestamp;
                for (quantity, value, unit) in &args.values {
                    telemetry
                        .publish(Reading {
                            node: args.node.clone(),
                            component: "bme680".into(),
                            quantity: quantity.clone(),
                            value: *value,
                            unit: unit.clone(),
                            timestamp,
                        })
                        .expect("valid names");
                    published += 1;
                }
            }
            Some(command) = commands.recv() => {
                let answer = match receiver
                    .handle(&mut store, &command.command, &command.payload)
                    .await
                {
                    Ok(Ok(reply)) => format!("ok {reply}"),
                    Ok(Err(refusal)) => format!("refused {refusal}"),
                    Err(trap) => format!("trap {trap:#}"),
                };
                say(&format!(
                    "COMMAND {} {} {} -> {answer}",
                    command.component, command.command, command.payload
                ));
            }
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    let stats = telemetry.shutdown(Duration::from_secs(10)).await;
    say(&format!(
        "SENT {} DROPPED {} QUEUED {} PUBLISHED {published}",
        stats.delivered, stats.dropped, stats.queued
    ));
}
