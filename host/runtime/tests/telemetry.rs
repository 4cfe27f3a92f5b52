//! `wasi-hal up`'s link to the fleet (docs/fleet.md) with real parts: Debian's mosquitto on
//! 127.0.0.1 and a free port, the simulated weather node's outdoor BME680 polled by the
//! runtime, and the `commands-receiver` test program as a `kind = "handler"` component, through
//! real Wasmtime.
//!
//! Checked: every reading the runtime hands over (`status`'s `readings_sent`) reaches a
//! subscriber, in order, as the documented JSON with the node's name; availability is retained
//! (`online`, then `offline` on the clean stop); Home Assistant discovery comes for each
//! quantity; an authorised command reaches the component through `wasi-hal:commands`, and an
//! unauthorised one (another command, or a component not authorised) is refused and counted.
//! Bad `[telemetry]` values are errors naming the file, line and key.

#[path = "../../telemetry/tests/support/mosquitto.rs"]
mod mosquitto;

use mosquitto::Mosquitto;
use rumqttc::{Client, Event, MqttOptions, Packet, QoS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use test_programs_artifacts::*;
use wasi_hal_runtime::{Control, Device, UpOptions};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A test's folder, removed when the test ends (the process's folder too, with its last test).
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir()
            .join(format!("wasi-hal-runtime-telemetry-{}", std::process::id()))
            .join(test);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        if let Some(parent) = self.0.parent() {
            // Only when empty: another test may still use it.
            let _ = std::fs::remove_dir(parent);
        }
    }
}

/// `text` as `NAME/device.toml` in `scratch`, on the weather node's board.
fn device_file(scratch: &Scratch, name: &str, text: &str) -> PathBuf {
    let dir = scratch.0.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let board = repo().join("devices/sim-weather-node.board.toml");
    let text = format!(
        "[device]\nname = \"greenhouse\"\nboard = {:?}\n\n{}",
        board.display().to_string(),
        text.replace("{bme680}", DRIVER_BME680)
            .replace("{receiver}", WORLDS_COMMANDS_RECEIVER)
    );
    let path = dir.join("device.toml");
    std::fs::write(&path, text).unwrap();
    path
}

const OUTDOOR: &str = "[component.outdoor]\npath = \"{bme680}\"\nkind = \"sensor\"\n\
    poll-every = \"500ms\"\ngrants = [\"i2c0@0x77\"]\nmemory-limit = \"4 MiB\"\n\
    [component.outdoor.config]\n\"sensor.address\" = 0x77\n\n";
const RECEIVER: &str = "[component.bell]\npath = \"{receiver}\"\nkind = \"handler\"\n\
    commands = [\"beep\"]\nmemory-limit = \"4 MiB\"\n\n";

/// A subscriber to everything the node and Home Assistant discovery get; messages arrive on
/// the receiver as (topic, payload, retained).
fn subscribe(broker: &Mosquitto, id: &str) -> (Client, mpsc::Receiver<(String, String, bool)>) {
    let mut options = MqttOptions::new(id, "127.0.0.1", broker.port);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut connection) = Client::new(options, 100);
    client.subscribe("wasi-hal/#", QoS::AtLeastOnce).unwrap();
    client
        .subscribe("homeassistant/#", QoS::AtLeastOnce)
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let (subscribed_tx, subscribed) = mpsc::channel();
    std::thread::spawn(move || {
        let mut subacks = 0;
        for event in connection.iter() {
            match event {
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    subacks += 1;
                    if subacks == 2 {
                        let _ = subscribed_tx.send(());
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let message = (
                        p.topic.clone(),
                        String::from_utf8_lossy(&p.payload).into_owned(),
                        p.retain,
                    );
                    if tx.send(message).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    subscribed
        .recv_timeout(Duration::from_secs(10))
        .expect("the subscriber did not subscribe");
    (client, rx)
}

/// Messages that arrive until `done` says so (or 20 s pass).
fn wait_for(
    rx: &mpsc::Receiver<(String, String, bool)>,
    seen: &mut Vec<(String, String, bool)>,
    done: impl Fn(&[(String, String, bool)]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out; seen: {seen:#?}");
        if let Ok(message) = rx.recv_timeout(left.min(Duration::from_millis(200))) {
            seen.push(message);
        }
    }
}

#[test]
fn readings_go_to_the_broker_and_commands_come_back_to_the_component() {
    let broker = Mosquitto::start_new("runtime-telemetry");
    let (client, rx) = subscribe(&broker, "test-subscriber");
    let scratch = Scratch::new("fleet");
    let path = device_file(
        &scratch,
        "fleet",
        &format!(
            "[telemetry]\nurl = \"{}\"\nkeep-alive-s = 5\n\n{OUTDOOR}{RECEIVER}",
            broker.url()
        ),
    );
    let mut device = Device::load(UpOptions {
        device: path,
        cache: None,
        virtual_time: false,
        max_time: Some(Duration::from_secs(4)),
        status: None,
        supply_cache: None,
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    let control = Control::default();
    let runner = std::thread::spawn(move || device.run(&control).expect("the device runs"));

    // Online (retained), then commands: one authorised, one the handler is not authorised
    // for, one for a component that takes none.
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, |seen| {
        seen.iter()
            .any(|(t, p, _)| t == "wasi-hal/greenhouse/status" && p == "online")
            && seen
                .iter()
                .any(|(t, _, _)| t == "wasi-hal/greenhouse/accepts/bell")
    });
    assert!(!runner.is_finished(), "the device stopped early");
    let send = |component: &str, command: &str| {
        client
            .publish(
                format!("wasi-hal/greenhouse/commands/{component}"),
                QoS::AtLeastOnce,
                false,
                format!("{{\"command\":\"{command}\",\"payload\":\"440\"}}"),
            )
            .unwrap();
    };
    send("bell", "beep");
    send("bell", "explode");
    send("outdoor", "beep");

    let status = runner.join().unwrap();
    wait_for(&rx, &mut seen, |seen| {
        seen.iter()
            .any(|(t, p, _)| t == "wasi-hal/greenhouse/status" && p == "offline")
    });
    let telemetry = status.telemetry.clone().expect("telemetry in the status");
    let outdoor = status.component("outdoor").unwrap();
    // Four quantities per poll, every one handed over and acknowledged, none dropped.
    assert!(outdoor.polls >= 6, "{outdoor:?}");
    assert_eq!(telemetry.readings_sent, outdoor.polls * 4, "{telemetry:?}");
    assert_eq!(
        (
            telemetry.client.delivered,
            telemetry.client.dropped,
            telemetry.client.queued
        ),
        (telemetry.readings_sent, 0, 0),
        "{telemetry:?}"
    );
    assert_eq!(telemetry.node, "greenhouse");

    // Every reading arrived, in order, as the documented JSON.
    let readings: Vec<Value> = seen
        .iter()
        .filter(|(t, _, _)| t.starts_with("wasi-hal/greenhouse/readings/outdoor/"))
        .map(|(t, p, retained)| {
            assert!(!retained, "{t}");
            let v: Value = serde_json::from_str(p).unwrap();
            assert_eq!(
                t.rsplit('/').next().unwrap(),
                v["quantity"].as_str().unwrap()
            );
            v
        })
        .collect();
    assert_eq!(readings.len() as u64, telemetry.readings_sent);
    let temperatures: Vec<&Value> = readings
        .iter()
        .filter(|r| r["quantity"] == "temperature")
        .collect();
    assert_eq!(temperatures.len() as u64, outdoor.polls);
    for pair in temperatures.windows(2) {
        assert!(
            pair[0]["timestamp"].as_u64() < pair[1]["timestamp"].as_u64(),
            "{pair:?}"
        );
    }
    let t = temperatures[0];
    assert_eq!(
        (&t["node"], &t["component"], &t["unit"]),
        (
            &Value::from("greenhouse"),
            &Value::from("outdoor"),
            &Value::from("°C")
        )
    );
    // The outdoor BME680 of the weather node's board holds 8.25 °C.
    assert!((t["value"].as_f64().unwrap() - 8.25).abs() < 0.1, "{t}");

    // What is retained, as a subscriber that comes now gets it: the node offline, Home
    // Assistant discovery for each quantity, the commands the handler accepts.
    drop(client);
    let (_late, late_rx) = subscribe(&broker, "late-subscriber");
    let mut retained = Vec::new();
    wait_for(&late_rx, &mut retained, |seen| seen.len() >= 7);
    assert!(retained.iter().all(|(_, _, r)| *r), "{retained:#?}");
    assert!(retained.contains(&(
        "wasi-hal/greenhouse/status".to_string(),
        "offline".to_string(),
        true
    )));
    for quantity in ["temperature", "pressure", "humidity", "gas-resistance"] {
        let topic = format!("homeassistant/sensor/wasi-hal_greenhouse_outdoor_{quantity}/config");
        let (_, payload, _) = retained
            .iter()
            .find(|(t, _, _)| *t == topic)
            .unwrap_or_else(|| panic!("no {topic}"));
        let config: Value = serde_json::from_str(payload).unwrap();
        assert_eq!(
            config["state_topic"],
            format!("wasi-hal/greenhouse/readings/outdoor/{quantity}")
        );
    }
    let accepts = seen
        .iter()
        .find(|(t, _, _)| t == "wasi-hal/greenhouse/accepts/bell")
        .unwrap();
    assert_eq!(accepts.1, "[\"beep\"]");

    // The authorised command reached the component and it carried it out; the other two were
    // refused by the device.
    let bell = status.component("bell").unwrap();
    assert_eq!(bell.commands, 1, "{bell:?}");
    assert_eq!(
        (
            telemetry.commands_done,
            telemetry.commands_failed,
            telemetry.client.commands_accepted,
            telemetry.client.commands_refused
        ),
        (1, 0, 1, 2),
        "{telemetry:?}"
    );
}

#[test]
fn bad_telemetry_values_name_the_file_line_and_key() {
    let scratch = Scratch::new("bad");
    let cases = [
        (
            "[telemetry]\nurl = \"mqtt://127.0.0.1\"\nkeep-alive-s = 2\n\n",
            "key `telemetry.keep-alive-s`: 2 is below the minimum of 5 seconds",
            7,
        ),
        (
            "[telemetry]\nurl = \"http://127.0.0.1\"\n\n",
            "key `telemetry.url`: \"http://127.0.0.1\" is not an `mqtt://` or `mqtts://` url",
            6,
        ),
        (
            "[telemetry]\nurl = \"mqtt://h\"\nnode = \"green house\"\n\n",
            "key `telemetry.node`",
            7,
        ),
    ];
    for (index, (table, message, line)) in cases.into_iter().enumerate() {
        let path = device_file(
            &scratch,
            &format!("bad-{index}"),
            &format!("{table}{OUTDOOR}"),
        );
        let err = format!("{:#}", Device::check(&path).unwrap_err());
        let at = format!("{}:{line}:", path.display());
        assert!(err.contains(&at) && err.contains(message), "{err}");
    }
    // A component authorised for commands must export the handler.
    let path = device_file(
        &scratch,
        "no-handler",
        &OUTDOOR.replace(
            "kind = \"sensor\"\n",
            "kind = \"sensor\"\ncommands = [\"beep\"]\n",
        ),
    );
    let err = format!("{:#}", Device::check(&path).unwrap_err());
    assert!(
        err.contains("key `commands`")
            && err.contains("does not export `wasi-hal:commands/handler@0.1.0`"),
        "{err}"
    );
}

/// The doorbell app (its `ring` command) composed with the active-buzzer driver, in `dir`.
fn doorbell(dir: &Path) -> PathBuf {
    let deps = std::collections::HashMap::from([
        ("wasi-hal:doorbell".to_string(), PathBuf::from(APP_DOORBELL)),
        (
            "wasi-hal:buzzer-gpio".to_string(),
            PathBuf::from(DRIVER_BUZZER_GPIO),
        ),
    ]);
    let wac = repo().join("compositions/doorbell-buzzer-gpio.wac");
    let bytes = wasi_hal_compose::compose_file(&wac, &deps).expect("compose the doorbell");
    let path = dir.join("doorbell.wasm");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_ring_command_sounds_the_simulated_buzzer() {
    let broker = Mosquitto::start_new("runtime-doorbell");
    let (client, rx) = subscribe(&broker, "test-doorbell");
    let scratch = Scratch::new("doorbell");
    let path = scratch.0.join("device.toml");
    std::fs::write(
        &path,
        format!(
            "[device]\nname = \"porch\"\nboard = {:?}\n\n[telemetry]\nurl = \"{}\"\n\n\
             [component.bell]\npath = {:?}\nkind = \"handler\"\ncommands = [\"ring\"]\ngrants = [\"buzzer\"]\n",
            repo().join("boards/sim-buzzer-gpio.toml").display().to_string(),
            broker.url(),
            doorbell(&scratch.0).display().to_string(),
        ),
    )
    .unwrap();
    let mut device = Device::load(UpOptions {
        device: path,
        cache: None,
        virtual_time: false,
        max_time: Some(Duration::from_secs(4)),
        status: None,
        supply_cache: None,
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    let runner = std::thread::spawn(move || {
        let status = device.run(&Control::default()).expect("the device runs");
        (device, status)
    });
    let mut seen = Vec::new();
    wait_for(&rx, &mut seen, |seen| {
        seen.iter()
            .any(|(t, p, _)| t == "wasi-hal/porch/accepts/bell" && p == "[\"ring\"]")
    });
    // A second after the handler was instantiated: its simulated buzzer's clock has to catch up.
    std::thread::sleep(Duration::from_secs(1));
    assert!(!runner.is_finished(), "the device stopped early");
    client
        .publish(
            "wasi-hal/porch/commands/bell",
            QoS::AtLeastOnce,
            false,
            "{\"command\":\"ring\",\"payload\":\"1\"}",
        )
        .unwrap();
    let (device, status) = runner.join().unwrap();
    // One ring on the active buzzer: two beeps at its own pitch, as long as the ding and the
    // dong, recorded by the simulated part and shown in the status.
    assert_eq!(status.component("bell").unwrap().commands, 1);
    assert_eq!(status.telemetry.as_ref().unwrap().commands_done, 1);
    let buzzer = &status.buzzers[0];
    assert_eq!(
        (buzzer.name.as_str(), buzzer.played),
        ("buzzer", 2),
        "{buzzer:?}"
    );
    // (In real time a tone lasts at least its length: the runtime's sleep, plus scheduling.)
    let [ding, dong] = buzzer.tones[..] else {
        panic!("{buzzer:?}");
    };
    assert_eq!((ding.frequency_hz, dong.frequency_hz), (2300, 2300));
    assert!((300..400).contains(&ding.duration_ms), "{ding:?}");
    assert!((600..700).contains(&dong.duration_ms), "{dong:?}");
    // The tone starts when the command came (the parts' clock caught up with the device's),
    // not when the handler last ran (its instantiation, at the start).
    assert!(ding.start_ms >= 1000, "{ding:?}");
    let sim = device.board().simulated().unwrap();
    assert_eq!(sim.buzzer("buzzer").unwrap().lock().unwrap().played(), 2);
}
