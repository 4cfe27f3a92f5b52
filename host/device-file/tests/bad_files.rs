//! Every kind of mistake in a device file gives one clear error naming the file, line, column
//! and key, never a panic; and good files give the model the runtime needs.

use std::time::Duration;
use wasi_hal_device_file::{
    Backoff, BoardFile, ComponentKind, ComponentSource, DeviceError, DeviceFile, ErrorKind, Grant,
    RestartPolicy,
};

/// A board with one I2C bus (two addresses), one SPI device and two GPIO lines.
const BOARD: &str = r#"
[board]
name = "b"
backend = "simulated"

[i2c.i2c0]
addresses = [0x3c, 0x76, 0x77]

[spi.oled]
max-frequency-hz = 1_000_000

[gpio.led]
modes = ["output"]

[gpio.dc]
modes = ["output"]
"#;

/// A valid `[device]` table: four lines, so the body starts on line 5.
const HEAD: &str = "[device]\nname = \"node\"\nboard = \"b.toml\"\n\n";

fn parse(body: &str) -> Result<DeviceFile, DeviceError> {
    let board = BoardFile::parse(BOARD, "devices/b.toml").expect("the test board is valid");
    DeviceFile::parse(&format!("{HEAD}{body}"), "devices/x.toml", board)
}

fn assert_error(body: &str, kind: ErrorKind, expected: &str) {
    match parse(body) {
        Ok(file) => panic!("expected an error, got {file:?}"),
        Err(e) => {
            assert_eq!(e.to_string(), expected);
            assert_eq!(e.kind(), kind, "{e}");
        }
    }
}

#[test]
fn a_full_file_reads_into_the_model() {
    let file = parse(
        "[component.weather]\npath = \"weather.wasm\"\ngrants = [\"i2c0@0x3c\", \"i2c0@0x76\", \"led\"]\n\
         memory-limit = \"8 MiB\"\n[component.weather.config]\n\"display.address\" = 0x3c\nname = \"w\"\n\
         [component.weather.restart]\ninitial-backoff = \"500ms\"\nmax-backoff = \"4s\"\nlimit = 3\nwindow = \"1m\"\n\n\
         [component.outdoor]\nregistry = \"wasi-hal:bme680@0.1.0\"\ndigest = \"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n\
         kind = \"sensor\"\npoll-every = \"5s\"\ngrants = [\"i2c0@0x77\"]\n[component.outdoor.restart]\npolicy = \"never\"\n",
    )
    .unwrap();
    assert_eq!(file.name, "node");
    assert_eq!(file.board_path, std::path::Path::new("devices/b.toml"));
    let weather = file.component("weather").unwrap();
    assert_eq!(
        weather.source,
        ComponentSource::Path("devices/weather.wasm".into())
    );
    assert_eq!(weather.kind, ComponentKind::App);
    assert_eq!(
        weather.grants,
        [
            Grant {
                name: "i2c0".into(),
                address: Some(0x3c)
            },
            Grant {
                name: "i2c0".into(),
                address: Some(0x76)
            },
            Grant {
                name: "led".into(),
                address: None
            },
        ]
    );
    assert_eq!(weather.memory_limit, 8 << 20);
    assert_eq!(weather.config["display.address"], "60");
    assert_eq!(weather.config["name"], "w");
    let backoff = Backoff {
        initial: Duration::from_millis(500),
        max: Duration::from_secs(4),
        limit: 3,
        window: Duration::from_secs(60),
    };
    assert_eq!(weather.restart, RestartPolicy::OnFailure(backoff));
    assert_eq!(backoff.delay(1), Duration::from_millis(500));
    assert_eq!(backoff.delay(3), Duration::from_secs(2));
    assert_eq!(backoff.delay(9), Duration::from_secs(4));
    let outdoor = &file.components[1];
    assert_eq!(outdoor.name, "outdoor");
    assert!(
        matches!(&outdoor.source, ComponentSource::Registry { package, version, .. } if package == "wasi-hal:bme680" && version == "0.1.0")
    );
    assert_eq!(
        outdoor.kind,
        ComponentKind::Sensor {
            poll_every: Duration::from_secs(5)
        }
    );
    assert_eq!(outdoor.restart, RestartPolicy::Never);
    assert_eq!(outdoor.location.line, 18);
}

#[test]
fn a_name_the_board_does_not_have() {
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"led\", \"oled2\"]\n",
        ErrorKind::UndefinedName,
        "devices/x.toml:7:18: key `component.a.grants[1]`: the board devices/b.toml has no name \
         `oled2` (its names: `oled`, `i2c0`, `dc`, `led`)",
    );
}

#[test]
fn a_name_granted_to_two_components() {
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"oled\"]\n\n[component.b]\npath = \"b.wasm\"\ngrants = [\"dc\", \"oled\"]\n",
        ErrorKind::GrantConflict,
        "devices/x.toml:11:17: key `component.b.grants[1]`: `oled` is already granted to the \
         component `a`",
    );
}

#[test]
fn one_address_granted_twice_and_a_whole_bus_after_an_address() {
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"i2c0@0x76\"]\n\n[component.b]\npath = \"b.wasm\"\ngrants = [\"i2c0@0x76\"]\n",
        ErrorKind::GrantConflict,
        "devices/x.toml:11:11: key `component.b.grants[0]`: `i2c0@0x76` is already granted to \
         the component `a`",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"i2c0@0x76\"]\n\n[component.b]\npath = \"b.wasm\"\ngrants = [\"i2c0\"]\n",
        ErrorKind::GrantConflict,
        "devices/x.toml:11:11: key `component.b.grants[0]`: the whole I2C bus `i2c0` cannot be \
         granted: its address 0x76 is granted to the component `a` (grant single addresses, \
         `i2c0@0xAA`, to share a bus)",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"i2c0\"]\n\n[component.b]\npath = \"b.wasm\"\ngrants = [\"i2c0@0x3c\"]\n",
        ErrorKind::GrantConflict,
        "devices/x.toml:11:11: key `component.b.grants[0]`: the whole I2C bus `i2c0` is already \
         granted to the component `a`",
    );
}

#[test]
fn addresses_the_bus_does_not_allow_or_on_a_non_bus() {
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"i2c0@0x50\"]\n",
        ErrorKind::UndefinedName,
        "devices/x.toml:7:11: key `component.a.grants[0]`: the board does not allow address 0x50 \
         on the I2C bus `i2c0`",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"led@0x50\"]\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:11: key `component.a.grants[0]`: `led@0x50`: `led` is not an I2C bus, \
         so it has no addresses",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = [\"i2c0@76\"]\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:11: key `component.a.grants[0]`: `i2c0@76`: an I2C address is written \
         `BUS@0xAA`, a 7-bit address in hex",
    );
}

#[test]
fn unknown_keys_missing_keys_and_wrong_types() {
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrant = [\"led\"]\n",
        ErrorKind::UnknownKey,
        "devices/x.toml:7:1: key `component.a.grant`: unknown key `grant` (known keys: `path`, \
         `registry`, `digest`, `app`, `plug`, `kind`, `grants`, `config`, `memory-limit`, `restart`, \
         `poll-every`, `commands`)",
    );
    assert_error(
        "[component.a]\nkind = \"app\"\n",
        ErrorKind::MissingKey,
        "devices/x.toml:5:12: key `component.a`: missing required key `path` (a component file), \
         `registry` (`ns:name@x.y.z`) or `app` (with `plug`)",
    );
    assert_error(
        "[component.a]\npath = 3\n",
        ErrorKind::WrongType,
        "devices/x.toml:6:8: key `component.a.path`: expected a string, found an integer",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ngrants = \"led\"\n",
        ErrorKind::WrongType,
        "devices/x.toml:7:10: key `component.a.grants`: expected an array of board names, found \
         a string",
    );
    assert_error(
        "",
        ErrorKind::MissingKey,
        "devices/x.toml:1:1: the device runs no component: add a `[component.NAME]` table",
    );
}

#[test]
fn bad_values() {
    assert_error(
        "[component.a]\npath = \"a.wasm\"\nkind = \"sensor\"\n",
        ErrorKind::MissingKey,
        "devices/x.toml:5:12: key `component.a.poll-every`: missing required key for `kind = \
         \"sensor\"`",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\nkind = \"sensor\"\npoll-every = \"5 weeks\"\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:8:14: key `component.a.poll-every`: unknown unit `weeks` in `5 weeks` \
         (units: `ms`, `s`, `m`, `h`)",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\nkind = \"daemon\"\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:8: key `component.a.kind`: unknown value `daemon`, expected one of \
         `app`, `sensor`, `handler`",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\nmemory-limit = \"16 MB\"\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:16: key `component.a.memory-limit`: unknown unit `MB` in `16 MB` \
         (units: `B`, `KiB`, `MiB`, `GiB`)",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\n[component.a.restart]\ninitial-backoff = \"10s\"\nmax-backoff = \"1s\"\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:9:15: key `component.a.restart.max-backoff`: `max-backoff` is shorter \
         than `initial-backoff`",
    );
}

#[test]
fn missing_keys_booleans_and_integer_ranges_read_as_in_a_board_file() {
    let device = |text: &str| {
        let board = BoardFile::parse(BOARD, "devices/b.toml").expect("the test board is valid");
        let e = DeviceFile::parse(text, "devices/x.toml", board).unwrap_err();
        (e.kind(), e.to_string())
    };
    assert_eq!(
        device("[component.a]\npath = \"a.wasm\"\n"),
        (
            ErrorKind::MissingKey,
            "devices/x.toml:1:1: key `device`: missing required key".into()
        )
    );
    assert_eq!(
        device("[device]\nboard = \"b.toml\"\n"),
        (
            ErrorKind::MissingKey,
            "devices/x.toml:1:2: key `device.name`: missing required key".into()
        )
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\n[component.a.restart]\nlimit = -1\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:8:9: key `component.a.restart.limit`: expected an integer from 0 to \
         4294967295, found -1",
    );
    assert_error(
        "[telemetry]\nurl = \"mqtt://h\"\ndiscovery = \"yes\"\n[component.a]\npath = \"a.wasm\"\n",
        ErrorKind::WrongType,
        "devices/x.toml:7:13: key `telemetry.discovery`: expected a boolean (true or false), \
         found a string",
    );
}

#[test]
fn registry_references_are_pinned() {
    assert_error(
        "[component.a]\nregistry = \"wasi-hal:weather-station@0.1.0\"\n",
        ErrorKind::MissingKey,
        "devices/x.toml:5:12: key `component.a.digest`: missing required key: a registry \
         reference is pinned by digest (`digest = \"sha256:...\"`) so a moved tag is refused",
    );
    assert_error(
        "[component.a]\nregistry = \"wasi-hal:weather-station@0.1.0\"\ndigest = \"sha256:abc\"\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:10: key `component.a.digest`: `sha256:abc` is not a digest `sha256:` \
         followed by 64 lowercase hex digits",
    );
    assert_error(
        "[component.a]\nregistry = \"weather-station\"\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:6:12: key `component.a.registry`: `weather-station` is not a registry \
         reference `namespace:name@x.y.z`",
    );
}

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn an_app_and_its_plugs_read_into_a_composed_source() {
    let file = parse(&format!(
        "[component.w]\napp = {{ path = \"app.wasm\" }}\nplug = [\n  {{ path = \"bme680.wasm\" }},\n  \
         {{ registry = \"wasi-hal:ssd1306-i2c@0.1.0\", digest = \"{DIGEST}\" }},\n]\n"
    ))
    .unwrap();
    assert_eq!(
        file.component("w").unwrap().source,
        ComponentSource::Composed {
            app: Box::new(ComponentSource::Path("devices/app.wasm".into())),
            plugs: vec![
                ComponentSource::Path("devices/bme680.wasm".into()),
                ComponentSource::Registry {
                    package: "wasi-hal:ssd1306-i2c".into(),
                    version: "0.1.0".into(),
                    digest: DIGEST.into(),
                },
            ],
        }
    );
    assert_error(
        "[component.w]\napp = { path = \"app.wasm\" }\n",
        ErrorKind::MissingKey,
        "devices/x.toml:5:12: key `component.w.plug`: missing required key: the components to \
         plug into the `app` (`plug = [{ path = \"driver.wasm\" }]`); an app alone is a `path`",
    );
    assert_error(
        "[component.w]\npath = \"a.wasm\"\nplug = [{ path = \"d.wasm\" }]\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:8: key `component.w.plug`: `plug` names the components plugged into an \
         `app`: add `app = { path = ... }` or remove `plug`",
    );
    assert_error(
        "[component.w]\napp = { path = \"a.wasm\" }\npath = \"a.wasm\"\nplug = [{ path = \"d.wasm\" }]\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:8: key `component.w.path`: give `app` (with `plug`) or `path`, not both",
    );
    assert_error(
        "[component.w]\napp = { path = \"a.wasm\" }\nplug = [{ path = \"d.wasm\" }, { registry = \"wasi-hal:x@0.1.0\" }]\n",
        ErrorKind::MissingKey,
        "devices/x.toml:7:30: key `component.w.plug[1].digest`: missing required key: a registry \
         reference is pinned by digest (`digest = \"sha256:...\"`) so a moved tag is refused",
    );
    assert_error(
        "[component.w]\napp = { path = \"a.wasm\" }\nplug = [\"d.wasm\"]\n",
        ErrorKind::WrongType,
        "devices/x.toml:7:9: key `component.w.plug[0]`: expected a `{ path = ... }` or \
         `{ registry = ..., digest = ... }` table, found a string",
    );
    assert_error(
        "[component.w]\napp = { path = \"a.wasm\", kind = \"app\" }\nplug = [{ path = \"d.wasm\" }]\n",
        ErrorKind::UnknownKey,
        "devices/x.toml:6:26: key `component.w.app.kind`: unknown key `kind` (known keys: \
         `path`, `registry`, `digest`)",
    );
}

#[test]
fn registry_and_trusted_keys_of_the_device() {
    let board = || BoardFile::parse(BOARD, "devices/b.toml").expect("the test board is valid");
    let device = |head: &str| {
        DeviceFile::parse(
            &format!(
                "[device]\nname = \"node\"\nboard = \"b.toml\"\n{head}\n[component.a]\npath = \"a.wasm\"\n"
            ),
            "devices/x.toml",
            board(),
        )
    };
    let file = device(
        "registry = \"http://127.0.0.1:5000/myorg\"\ntrusted-keys = [\"keys/a.pub\", \"/etc/b.pub\"]\n\
         allow-unsigned-paths = true",
    )
    .unwrap();
    assert_eq!(
        file.supply.registry.as_deref(),
        Some("http://127.0.0.1:5000/myorg")
    );
    assert_eq!(
        file.supply.trusted_keys,
        vec![
            std::path::PathBuf::from("devices/keys/a.pub"),
            std::path::PathBuf::from("/etc/b.pub")
        ]
    );
    assert!(file.supply.allow_unsigned_paths);
    assert_eq!(file.supply.trusted_keys_at.line, 5);
    let error = |head: &str| device(head).unwrap_err().to_string();
    assert_eq!(
        error("trusted-keys = []"),
        "devices/x.toml:4:16: key `device.trusted-keys`: `trusted-keys` is empty: name at least \
         one public key file, or remove the key"
    );
    assert_eq!(
        error("trusted-keys = [1]"),
        "devices/x.toml:4:17: key `device.trusted-keys[0]`: expected a public key file (PEM), \
         found an integer"
    );
    assert_eq!(
        error("allow-unsigned-paths = true"),
        "devices/x.toml:4:24: key `device.allow-unsigned-paths`: `allow-unsigned-paths` only \
         means something with `trusted-keys`: without them no component needs a signature"
    );
    assert_eq!(
        error("registry = \" \""),
        "devices/x.toml:4:12: key `device.registry`: the registry is empty: give \
         `http://HOST:PORT`, `https://HOST[/PREFIX]` or a folder"
    );
}

#[test]
fn syntax_errors_and_board_errors_are_located() {
    let e = parse("[component.a\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(e.to_string().starts_with("devices/x.toml:5:"), "{e}");
    // The board file's own error comes through with its file and place.
    let dir = std::env::temp_dir().join(format!("device-file-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("b.toml"),
        "[board]\nname = \"b\"\nbackend = \"simulated\"\nbogus = 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("d.toml"),
        format!("{HEAD}[component.a]\npath = \"a.wasm\"\n"),
    )
    .unwrap();
    let e = DeviceFile::load(dir.join("d.toml")).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(e.kind(), ErrorKind::Board);
    assert_eq!(e.file(), dir.join("b.toml"));
    assert_eq!(e.location().map(|l| l.line), Some(4));
    assert_eq!(e.key(), Some("board.bogus"));
}

#[test]
fn telemetry_and_commands_read_into_the_model() {
    let file = parse(
        "[telemetry]\nurl = \"mqtts://broker:8883\"\nusername = \"me\"\npassword = \"pw\"\n\
         ca-cert = \"ca.pem\"\nkeep-alive-s = 10\nqueue = 500\nnode = \"greenhouse\"\ndiscovery = false\n\n\
         [component.bell]\npath = \"bell.wasm\"\nkind = \"handler\"\ncommands = [\"ring\", \"beep\"]\n",
    )
    .unwrap();
    let telemetry = file.telemetry.as_ref().unwrap();
    assert_eq!(telemetry.url, "mqtts://broker:8883");
    assert_eq!(
        (telemetry.username.as_deref(), telemetry.password.as_deref()),
        (Some("me"), Some("pw"))
    );
    assert_eq!(
        telemetry.ca_cert.as_deref(),
        Some(std::path::Path::new("devices/ca.pem"))
    );
    assert_eq!(
        (telemetry.keep_alive_s, telemetry.queue),
        (Some(10), Some(500))
    );
    assert_eq!(
        (telemetry.node.as_deref(), telemetry.discovery),
        (Some("greenhouse"), false)
    );
    // Line 10 of the file: `keep-alive-s`'s value, for the runtime's range errors.
    assert_eq!(telemetry.location_of("keep-alive-s").to_string(), "10:16");
    let bell = file.component("bell").unwrap();
    assert_eq!(bell.kind, ComponentKind::Handler);
    assert_eq!(bell.commands, ["ring", "beep"]);
    // Without the table the device reports nowhere.
    let file = parse("[component.a]\npath = \"a.wasm\"\n").unwrap();
    assert!(file.telemetry.is_none());
    assert!(file.component("a").unwrap().commands.is_empty());
}

#[test]
fn bad_telemetry_and_commands() {
    assert_error(
        "[telemetry]\nurl = \"mqtt://h\"\nusrname = \"me\"\n[component.a]\npath = \"a.wasm\"\n",
        ErrorKind::UnknownKey,
        "devices/x.toml:7:1: key `telemetry.usrname`: unknown key `usrname` (known keys: `url`, \
         `username`, `password`, `ca-cert`, `client-cert`, `client-key`, `keep-alive-s`, `queue`, \
         `node`, `discovery`)",
    );
    assert_error(
        "[telemetry]\nusername = \"me\"\n[component.a]\npath = \"a.wasm\"\n",
        ErrorKind::MissingKey,
        "devices/x.toml:5:2: key `telemetry.url`: missing required key",
    );
    assert_error(
        "[telemetry]\nurl = \"mqtt://h\"\nqueue = \"big\"\n[component.a]\npath = \"a.wasm\"\n",
        ErrorKind::WrongType,
        "devices/x.toml:7:9: key `telemetry.queue`: expected an integer, found a string",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\ncommands = [\"beep\"]\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:7:12: key `component.a.commands`: an app's `run` holds its instance, so \
         it cannot take commands: give them to a `kind = \"handler\"` or `kind = \"sensor\"` component",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\nkind = \"handler\"\n",
        ErrorKind::MissingKey,
        "devices/x.toml:5:12: key `component.a.commands`: missing required key for `kind = \
         \"handler\"` (the commands it may receive)",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\nkind = \"handler\"\ncommands = [\"ring\", \"a/b\"]\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:8:21: key `component.a.commands[1]`: `a/b`: a command name is 1 to 64 \
         ASCII letters, digits, `-` and `_` (it is an MQTT topic level)",
    );
    assert_error(
        "[component.a]\npath = \"a.wasm\"\nkind = \"handler\"\ncommands = [\"ring\", \"ring\"]\n",
        ErrorKind::InvalidValue,
        "devices/x.toml:8:21: key `component.a.commands[1]`: `ring` is listed twice",
    );
}
