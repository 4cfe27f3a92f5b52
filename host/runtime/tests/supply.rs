//! Where a device's components come from, with real components through real Wasmtime on the
//! simulated weather node, in virtual time:
//!
//! - registry references fetched from a real OCI registry (the CNCF distribution registry,
//!   `docker-registry`, started on 127.0.0.1 by `wasi_hal_registry::distribution`), pinned by
//!   digest, signed by a trusted key, and run offline from the supply cache afterwards;
//! - an app and its drivers listed separately, composed by the runtime, drawing the frames the
//!   pre-composed weather station draws, and a driver swapped by editing one line and reloading.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use test_programs_artifacts::*;
use wasi_hal_registry::distribution::DistributionRegistry;
use wasi_hal_registry::signing::{PublicKey, Signature, SigningKey};
use wasi_hal_registry::{Session, sha256_digest};
use wasi_hal_runtime::{ComponentState, Control, Device, DeviceStatus, UpOptions};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A new empty folder for one test; removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("wasi-hal-supply-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `device.toml` in `dir`: the weather node's board, `head` in `[device]`, then
/// `components`.
fn device_file(dir: &Path, head: &str, components: &str) -> PathBuf {
    let board = repo().join("devices/sim-weather-node.board.toml");
    let text = format!(
        "[device]\nname = \"node\"\nboard = {:?}\n{head}\n{components}",
        board.display().to_string()
    );
    let path = dir.join("device.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn options(device: &Path, supply: &Path, max_time: Option<Duration>) -> UpOptions {
    UpOptions {
        device: device.to_owned(),
        cache: Some(supply.with_file_name("compiled")),
        virtual_time: true,
        max_time,
        status: None,
        supply_cache: Some(supply.to_owned()),
    }
}

fn up(device: &Path, supply: &Path, max_time: Duration) -> (Device, DeviceStatus) {
    let mut device =
        Device::load(options(device, supply, Some(max_time))).unwrap_or_else(|e| panic!("{e:#}"));
    let status = device.run(&Control::default()).expect("the device runs");
    (device, status)
}

fn load_error(device: &Path, supply: &Path) -> String {
    match Device::load(options(device, supply, None)) {
        Ok(_) => panic!("{} loaded, but it must be refused", device.display()),
        Err(e) => format!("{e:#}"),
    }
}

/// The outdoor BME680 polled every 5 s, from `source` (TOML lines).
fn outdoor(source: &str) -> String {
    format!(
        "[component.outdoor]\n{source}\nkind = \"sensor\"\npoll-every = \"5s\"\n\
         grants = [\"i2c0@0x77\"]\nmemory-limit = \"4 MiB\"\n\
         [component.outdoor.config]\n\"sensor.address\" = 0x77\n"
    )
}

fn registry_source(package: &str, digest: &str) -> String {
    format!("registry = \"{package}@0.1.0\"\ndigest = \"{digest}\"")
}

/// The outdoor sensor ran and measured the outdoor BME680 (8.25 °C) on schedule.
fn assert_outdoor_measured(status: &DeviceStatus) {
    let outdoor = status.component("outdoor").expect("outdoor");
    assert_eq!(outdoor.state, ComponentState::Stopped, "{outdoor:?}");
    assert_eq!(
        (outdoor.restarts, outdoor.missed_polls),
        (0, 0),
        "{outdoor:?}"
    );
    assert!(outdoor.polls >= 4, "{outdoor:?}");
    let last = outdoor
        .history()
        .filter(|r| r.quantity == "temperature")
        .last()
        .expect("a temperature reading");
    assert!((last.value - 8.25).abs() < 0.1, "{last:?}");
}

/// A public key file for `key` in `dir`.
fn write_public_key(dir: &Path, name: &str, key: &SigningKey) -> PathBuf {
    let path = dir.join(format!("{name}.pub"));
    std::fs::write(&path, key.public_key().to_pem().unwrap()).unwrap();
    PublicKey::read(&path).expect("the key file reads back");
    path
}

/// Issue 22's device side and issue 17's pin, against a real registry: a signed, pinned
/// component runs; unsigned, signed by an unknown key, a tampered signature and a pin that
/// differs are refused at load with their own messages; the second run works offline from the
/// cache, where the signature is checked again.
#[test]
fn signed_pinned_registry_components_run_and_the_rest_are_refused() {
    let dir = TempDir::new("signed");
    let server = DistributionRegistry::start(&dir.0.join("server")).expect("docker-registry");
    let registry = server.registry();
    let keys = dir.0.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let release = SigningKey::generate();
    let stranger = SigningKey::generate();
    write_public_key(&keys, "release", &release);

    // The BME680 driver published four times: signed by the release key, unsigned, signed by
    // a stranger, and signed with a signature whose payload was changed.
    let bytes = std::fs::read(DRIVER_BME680).unwrap();
    let digest = sha256_digest(&bytes);
    let packages = [
        "wasi-hal:bme680",
        "wasi-hal:unsigned",
        "wasi-hal:stranger",
        "wasi-hal:tampered",
    ]
    .map(String::from);
    let session = Session::open(&registry, &packages).unwrap();
    for package in &packages {
        session
            .publish_component(package, "0.1.0", bytes.clone())
            .unwrap();
    }
    session.sign("wasi-hal:bme680", "0.1.0", &release).unwrap();
    session
        .sign("wasi-hal:stranger", "0.1.0", &stranger)
        .unwrap();
    // Tampered: a release-key signature of another manifest stored as this one's signature.
    let tampered = session
        .signed_release("wasi-hal:tampered", "0.1.0")
        .unwrap();
    let other_manifest = sha256_digest(b"another manifest");
    let signature: Signature = release.sign(
        &session.docker_reference("wasi-hal:tampered"),
        &other_manifest,
    );
    session
        .store_signatures(
            "wasi-hal:tampered",
            "0.1.0",
            &tampered.manifest_digest,
            &[signature],
        )
        .unwrap();

    let head = format!(
        "registry = \"http://{}\"\ntrusted-keys = [\"keys/release.pub\"]\n",
        server.host()
    );
    let supply = dir.0.join("supply");

    // Signed by the trusted key and pinned: fetched, and it runs.
    let device = device_file(
        &dir.0,
        &head,
        &outdoor(&registry_source("wasi-hal:bme680", &digest)),
    );
    let (_, status) = up(&device, &supply, Duration::from_secs(20));
    assert_outdoor_measured(&status);
    let report = Device::check_with(&options(&device, &supply, None)).unwrap();
    assert_eq!(
        report.components,
        [format!(
            "outdoor: sensor every 5s, grants [i2c0@0x77], memory-limit 4096 KiB, from \
             wasi-hal:bme680@0.1.0 ({}…), signed",
            &digest[..19]
        )]
    );
    let cached: Vec<String> = std::fs::read_dir(
        std::fs::read_dir(&supply)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap()
    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
    .collect();
    let hex = digest.trim_start_matches("sha256:");
    assert!(cached.contains(&format!("{hex}.wasm")), "{cached:?}");
    assert!(
        cached.contains(&format!("{hex}.release.json")),
        "{cached:?}"
    );

    // Each refusal names the device file, the line of the component's table, and why.
    let refused = |package: &str, pin: &str| {
        let path = device_file(&dir.0, &head, &outdoor(&registry_source(package, pin)));
        let error = load_error(&path, &dir.0.join(format!("supply-{package}")));
        assert!(
            error.contains(&format!("{}:7:12: component `outdoor`", path.display())),
            "{error}"
        );
        error
    };
    let error = refused("wasi-hal:unsigned", &digest);
    assert!(
        error.contains("wasi-hal:unsigned@0.1.0 is not signed"),
        "{error}"
    );
    let error = refused("wasi-hal:stranger", &digest);
    assert!(
        error.contains("wasi-hal:stranger@0.1.0 is refused")
            && error.contains("not made by a trusted key"),
        "{error}"
    );
    let error = refused("wasi-hal:tampered", &digest);
    assert!(
        error.contains("wasi-hal:tampered@0.1.0 is refused")
            && error.contains("changed after it was signed"),
        "{error}"
    );
    // A pin that is not the content (as after a moved tag): refused before anything is
    // downloaded or checked further, naming both digests.
    let other = sha256_digest(b"other content");
    let error = refused("wasi-hal:bme680", &other);
    assert!(
        error.contains(&format!("its content has the digest {digest}"))
            && error.contains(&format!("the device file pins {other}")),
        "{error}"
    );

    // A `path` component on a device with trusted keys: refused, unless allowed.
    let local = device_file(
        &dir.0,
        &head,
        &outdoor(&format!("path = {DRIVER_BME680:?}")),
    );
    let error = load_error(&local, &supply);
    assert!(
        error.contains("component `outdoor`") && error.contains("allow-unsigned-paths = true"),
        "{error}"
    );
    let allowed = device_file(
        &dir.0,
        &format!("{head}allow-unsigned-paths = true\n"),
        &outdoor(&format!("path = {DRIVER_BME680:?}")),
    );
    Device::load(options(&allowed, &dir.0.join("supply-path"), None)).unwrap();

    // A reload fetches too (off the components' thread, which keeps running meanwhile): the
    // outdoor sensor switched from its file to the signed registry component.
    let local_source = format!("path = {DRIVER_BME680:?}");
    let reloading = device_file(
        &dir.0,
        &format!("{head}allow-unsigned-paths = true\n"),
        &outdoor(&local_source),
    );
    let reload_supply = dir.0.join("supply-reload");
    let mut running = Device::load(options(&reloading, &reload_supply, None)).unwrap();
    let control = Control::default();
    let swapper = {
        let control = control.clone();
        let swapped = std::fs::read_to_string(&reloading)
            .unwrap()
            .replace(&local_source, &registry_source("wasi-hal:bme680", &digest));
        let reloading = reloading.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1000));
            std::fs::write(&reloading, swapped).unwrap();
            control.reload();
            std::thread::sleep(Duration::from_millis(2500));
            control.stop();
        })
    };
    let status = running.run(&control).unwrap();
    swapper.join().unwrap();
    let fetched: Vec<PathBuf> = files(&reload_supply);
    assert!(
        fetched
            .iter()
            .any(|f| f.file_name().unwrap().to_string_lossy() == format!("{hex}.wasm")),
        "the reload did not fetch: {fetched:?}"
    );
    let polled = status.component("outdoor").unwrap();
    assert!(
        polled.last_error.is_none() && polled.polls > 0,
        "{polled:?}"
    );
    assert!(
        polled.uptime_ms < status.uptime_ms,
        "not restarted: {polled:?}"
    );

    // The registry goes away: the device comes up from its cache, signature checked again.
    drop(server);
    let device = device_file(
        &dir.0,
        &head,
        &outdoor(&registry_source("wasi-hal:bme680", &digest)),
    );
    let (_, status) = up(&device, &supply, Duration::from_secs(20));
    assert_outdoor_measured(&status);
    // A cached record whose signature was swapped for a stranger's: refused offline.
    let folder = std::fs::read_dir(&supply)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let record = folder.join(format!("{hex}.release.json"));
    let text = std::fs::read_to_string(&record).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let manifest = json["manifest"].as_str().unwrap().to_string();
    let forged = stranger.sign(
        &format!(
            "{}/wasi-hal/bme680",
            registry.url().trim_start_matches("http://")
        ),
        &sha256_digest(manifest.as_bytes()),
    );
    json["signatures"] = serde_json::to_value(vec![forged]).unwrap();
    std::fs::write(&record, json.to_string()).unwrap();
    let error = load_error(&device, &supply);
    assert!(
        error.contains("the cached copy is not usable")
            && error.contains("not made by a trusted key")
            && error.contains("does not answer"),
        "{error}"
    );
    // A damaged cached component: refused offline, naming it.
    std::fs::write(&record, text).unwrap();
    let cached = folder.join(format!("{hex}.wasm"));
    let mut damaged = std::fs::read(&cached).unwrap();
    let last = damaged.len() - 1;
    damaged[last] ^= 0xff;
    std::fs::write(&cached, damaged).unwrap();
    let error = load_error(&device, &supply);
    assert!(
        error.contains("(damaged)") && error.contains("does not answer"),
        "{error}"
    );
}

/// An app and its two drivers listed separately are composed by the runtime into what the
/// pre-composed weather station is: the same golden frame after a minute. Swapping the sensor
/// driver line (for a sensor with fixed readings) and reloading restarts the app with the new
/// driver: it then draws what the pre-composed app with that driver draws.
#[test]
fn an_app_and_its_drivers_listed_separately_are_composed_and_swapped_on_reload() {
    let dir = TempDir::new("composed");
    let supply = dir.0.join("supply");
    let weather = |sensor: &str| {
        format!(
            "[component.weather]\napp = {{ path = {APP_WEATHER_STATION:?} }}\nplug = [\n  \
             {{ path = {sensor:?} }},\n  {{ path = {DRIVER_SSD1306_I2C:?} }},\n]\n\
             grants = [\"i2c0@0x3c\", \"i2c0@0x76\"]\n\n"
        )
    };
    let device = device_file(&dir.0, "", &weather(DRIVER_BME680));
    let (up_device, status) = up(&device, &supply, Duration::from_secs(60));
    let app = status.component("weather").unwrap();
    assert_eq!(
        (app.state, app.restarts),
        (ComponentState::Stopped, 0),
        "{app:?}"
    );
    let frame = up_device
        .board()
        .simulated()
        .unwrap()
        .frame("display")
        .unwrap();
    let golden = image::open(repo().join("host/runtime/tests/golden/weather-after-60s.png"))
        .unwrap()
        .to_rgb8();
    assert!(
        frame.rgb.iter().any(|&b| b > 0),
        "the display shows nothing"
    );
    assert!(
        golden.as_raw() == &frame.rgb,
        "the composed app's frame differs from the pre-composed one's golden frame"
    );
    // The composition is cached by the digests of its pieces: loading again composes nothing.
    let composed: Vec<PathBuf> = files(&supply);
    assert_eq!(composed.len(), 1, "{composed:?}");
    let modified = std::fs::metadata(&composed[0]).unwrap().modified().unwrap();
    Device::load(options(&device, &supply, None)).unwrap();
    assert_eq!(
        std::fs::metadata(&composed[0]).unwrap().modified().unwrap(),
        modified
    );

    // A plug that fills none of the app's imports (the BME680 twice) is an error naming it.
    let twice = device_file(
        &dir.0,
        "",
        &weather(DRIVER_BME680).replace(DRIVER_SSD1306_I2C, DRIVER_BME680),
    );
    let error = format!(
        "{:#}",
        Device::load(options(&twice, &supply, None)).unwrap_err()
    );
    assert!(
        error.contains("component `weather`: its app and plugs do not compose")
            && error.contains(&format!("plug[1] (`{DRIVER_BME680}`)"))
            && error.contains("no matching exports"),
        "{error}"
    );
    let device = device_file(&dir.0, "", &weather(DRIVER_BME680));

    // The reference: the weather station pre-composed (its WAC file) with the fixed sensor in
    // place of the BME680, for a minute.
    let deps = HashMap::from([
        (
            "wasi-hal:weather-station".to_string(),
            PathBuf::from(APP_WEATHER_STATION),
        ),
        (
            "wasi-hal:bme680".to_string(),
            PathBuf::from(WORLDS_SENSOR_DRIVER),
        ),
        (
            "wasi-hal:ssd1306-i2c".to_string(),
            PathBuf::from(DRIVER_SSD1306_I2C),
        ),
    ]);
    let precomposed = wasi_hal_compose::compose_file(
        &repo().join("compositions/weather-bme680-ssd1306.wac"),
        &deps,
    )
    .unwrap();
    let reference_file = dir.0.join("fixed.wasm");
    std::fs::write(&reference_file, precomposed).unwrap();
    let reference_dir = TempDir::new("composed-reference");
    let reference_device = device_file(
        &reference_dir.0,
        "",
        &format!(
            "[component.weather]\npath = {:?}\ngrants = [\"i2c0@0x3c\"]\n",
            reference_file.display().to_string()
        ),
    );
    let (reference, _) = up(
        &reference_device,
        &reference_dir.0.join("supply"),
        Duration::from_secs(60),
    );
    let expected = reference
        .board()
        .simulated()
        .unwrap()
        .frame("display")
        .unwrap();

    // Run the BME680 version, then swap the sensor line and reload while it runs.
    let mut running = Device::load(options(&device, &supply, None)).unwrap();
    let control = Control::default();
    let swapper = {
        let control = control.clone();
        let device = device.clone();
        let swapped = std::fs::read_to_string(&device)
            .unwrap()
            .replace(DRIVER_BME680, WORLDS_SENSOR_DRIVER);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1500));
            std::fs::write(&device, swapped).unwrap();
            control.reload();
            std::thread::sleep(Duration::from_millis(2500));
            control.stop();
        })
    };
    let status = running.run(&control).unwrap();
    swapper.join().unwrap();
    let app = status.component("weather").unwrap();
    assert!(app.last_error.is_none(), "{app:?}");
    let after = running
        .board()
        .simulated()
        .unwrap()
        .frame("display")
        .unwrap();
    // The readings (the text lines at the top; the trend below them depends on how long the
    // app has run since the reload, which another thread triggers at no fixed virtual time).
    let readings = |f: &wasi_hal_sim::Frame| f.rgb[..f.width as usize * 3 * READING_ROWS].to_vec();
    assert!(readings(&expected) != readings(&frame));
    assert!(
        readings(&after) == readings(&expected),
        "after the swap the app shows the readings the pre-composed app with the fixed sensor shows"
    );
    // Only what the device file names is kept: the BME680 composition was pruned.
    let kept = files(&supply);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_ne!(kept, composed);
}

/// The rows of the weather station's frame that show the readings (four lines of text).
const READING_ROWS: usize = 32;

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// What the device file says about registries is checked at load, before anything is fetched.
#[test]
fn registry_settings_are_checked_at_load() {
    let dir = TempDir::new("settings");
    let supply = dir.0.join("supply");
    let pinned = registry_source("wasi-hal:bme680", &sha256_digest(b"x"));
    // A registry reference with no registry to fetch it from.
    let device = device_file(&dir.0, "", &outdoor(&pinned));
    let error = load_error(&device, &supply);
    assert!(
        error.contains(&format!("{}:5:12: component `outdoor`", device.display()))
            && error.contains("the device file names no registry"),
        "{error}"
    );
    // Trusted keys that cannot be read, and trusted keys with a filesystem registry.
    let device = device_file(
        &dir.0,
        "registry = \"http://127.0.0.1:9\"\ntrusted-keys = [\"missing.pub\"]\n",
        &outdoor(&pinned),
    );
    let error = load_error(&device, &supply);
    assert!(
        error.contains(&format!(
            "{}:5:16: key `device.trusted-keys`",
            device.display()
        )) && error.contains("missing.pub"),
        "{error}"
    );
    write_public_key(&dir.0, "release", &SigningKey::generate());
    let device = device_file(
        &dir.0,
        "registry = \"./registry\"\ntrusted-keys = [\"release.pub\"]\n",
        &outdoor(&pinned),
    );
    let error = load_error(&device, &supply);
    assert!(
        error.contains("key `device.trusted-keys`") && error.contains("is a filesystem registry"),
        "{error}"
    );
    // Nothing was fetched or written.
    assert!(files(&supply).is_empty());
}
