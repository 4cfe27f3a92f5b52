//! Reading a device file: one parse into toml's spanned document, read table by table through
//! the board file's reader ([`wasi_hal_board_file::document::Table`]); every error is located
//! from the span of the key or value being read. Then the board file it names is loaded, and
//! every grant is checked against it.

use crate::error::{DeviceError, ErrorKind, Location};
use crate::model::{
    Backoff, ComponentEntry, ComponentKind, ComponentSource, DeviceFile, Grant, RestartPolicy,
    Supply,
};
use crate::units::{parse_duration, parse_size};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;
use toml::de::{DeTable, DeValue};
use wasi_hal_board_file::document::{self, integer, quoted_list};
use wasi_hal_board_file::{BoardFile, TomlSource, toml_type_name};

mod telemetry;

/// The largest device file [`DeviceFile::load`] reads (256 KiB).
pub const MAX_DEVICE_FILE_BYTES: u64 = 256 << 10;
/// The most components one device file may list.
pub const MAX_COMPONENTS: usize = 256;
/// The default `memory-limit`: 16 MiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 16 << 20;
/// The largest `memory-limit`: 4 GiB, all a 32-bit linear memory can reach.
pub const MAX_MEMORY_LIMIT: u64 = 4 << 30;
/// The shortest `poll-every`: 10 ms.
pub const MIN_POLL_PERIOD: Duration = Duration::from_millis(10);

/// A table of the device file: the board file's reader with this crate's error kinds.
type Table<'r, 'a> = document::Table<'r, 'a, ErrorKind>;

/// What only the device file reads: durations, and arrays of strings whose messages say what
/// the array holds.
trait DeviceTable<'r> {
    /// A duration string (`"5s"`) at `key`, when set.
    fn duration(&self, key: &str) -> Result<Option<Duration>, DeviceError>;

    /// The strings of the array at `key`, when set: `array` and `element` name what the array
    /// and each element are in the wrong-type messages ("an array of board names", "a board
    /// name").
    fn strings(
        &self,
        key: &str,
        array: &str,
        element: &str,
    ) -> Result<Option<Vec<&'r str>>, DeviceError>;
}

impl<'r> DeviceTable<'r> for Table<'r, '_> {
    fn duration(&self, key: &str) -> Result<Option<Duration>, DeviceError> {
        let Some(text) = self.str(key)? else {
            return Ok(None);
        };
        parse_duration(text)
            .map(Some)
            .map_err(|message| self.value_error(key, ErrorKind::InvalidValue, message))
    }

    fn strings(
        &self,
        key: &str,
        array: &str,
        element: &str,
    ) -> Result<Option<Vec<&'r str>>, DeviceError> {
        let Some(value) = self.raw(key) else {
            return Ok(None);
        };
        let wrong_type = |found: &DeValue<'_>, what: &str| {
            format!("expected {what}, found {}", toml_type_name(found))
        };
        let Some(items) = value.get_ref().as_array() else {
            let message = wrong_type(value.get_ref(), array);
            return Err(self.value_error(key, ErrorKind::WrongType, message));
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                item.get_ref().as_str().ok_or_else(|| {
                    let message = wrong_type(item.get_ref(), element);
                    self.element_error(key, index, ErrorKind::WrongType, message)
                })
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

impl DeviceFile {
    /// Reads and checks the device file at `path` and the board file it names. At most
    /// [`MAX_DEVICE_FILE_BYTES`] are read.
    pub fn load(path: impl AsRef<Path>) -> Result<DeviceFile, DeviceError> {
        let path = path.as_ref();
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| {
                use std::io::Read;
                file.take(MAX_DEVICE_FILE_BYTES + 1).read_to_end(&mut bytes)
            })
            .map_err(|e| {
                DeviceError::new(
                    path,
                    ErrorKind::Io,
                    format!("cannot read the device file: {e}"),
                )
            })?;
        if bytes.len() as u64 > MAX_DEVICE_FILE_BYTES {
            return Err(DeviceError::new(
                path,
                ErrorKind::Io,
                format!(
                    "the device file is larger than {} KiB, the most a device file may be",
                    MAX_DEVICE_FILE_BYTES >> 10
                ),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            DeviceError::new(
                path,
                ErrorKind::Io,
                "the device file is not valid UTF-8 text",
            )
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::parse_with(&text, path, |board| {
            BoardFile::load(base.join(board)).map_err(|e| board_error(&e))
        })
    }

    /// Checks `text` as the device file `path` (used in messages and to resolve relative
    /// paths), with `board` as the board file it names instead of loading that.
    pub fn parse(
        text: &str,
        path: impl AsRef<Path>,
        board: BoardFile,
    ) -> Result<DeviceFile, DeviceError> {
        Self::parse_with(text, path.as_ref(), move |_| Ok(board))
    }

    fn parse_with(
        text: &str,
        path: &Path,
        board: impl FnOnce(&Path) -> Result<BoardFile, DeviceError>,
    ) -> Result<DeviceFile, DeviceError> {
        let document = DeTable::parse(text).map_err(|e| {
            let error = DeviceError::new(
                path,
                ErrorKind::Syntax,
                format!("invalid TOML: {}", e.message()),
            );
            match e.span() {
                Some(span) => error.at(Location::of_offset(text, span.start)),
                None => error,
            }
        })?;
        let root = Table::root(TomlSource { text, path }, document.get_ref());
        root.only(&["device", "component", "telemetry"])?;
        let device = root.require_table("device")?;
        device.only(&[
            "name",
            "board",
            "registry",
            "trusted-keys",
            "allow-unsigned-paths",
        ])?;
        let supply = read_supply(&device, path)?;
        let name = device.require::<String>("name")?;
        if name.trim().is_empty() {
            return Err(device.value_error(
                "name",
                ErrorKind::InvalidValue,
                "the device name is empty",
            ));
        }
        let board_name = device.require::<String>("board")?;
        let base = path.parent().unwrap_or(Path::new(""));
        let board_path = base.join(&board_name);
        let board = board(Path::new(&board_name))?;

        let tables = root.named_tables("component")?;
        let mut components = Vec::new();
        for (key, table) in &tables {
            if components.len() == MAX_COMPONENTS {
                return Err(table.table_error(
                    ErrorKind::InvalidValue,
                    format!("more than {MAX_COMPONENTS} components, the most one device runs"),
                ));
            }
            components.push(read_component(table, key, base)?);
        }
        if components.is_empty() {
            return Err(root.table_error(
                ErrorKind::MissingKey,
                "the device runs no component: add a `[component.NAME]` table",
            ));
        }
        check_grants(&tables, &components, &board)?;
        let telemetry = telemetry::read_telemetry(&root, base)?;
        Ok(DeviceFile {
            path: path.to_owned(),
            name,
            board_path,
            board,
            components,
            telemetry,
            supply,
        })
    }
}

/// A board file's error, as this crate's: same file, place, key and message.
fn board_error(e: &wasi_hal_board_file::BoardError) -> DeviceError {
    let mut error = DeviceError::new(e.file(), ErrorKind::Board, e.message());
    if let Some(location) = e.location() {
        error = error.at(location);
    }
    if let Some(key) = e.key() {
        error = error.with_key(key);
    }
    error
}

fn read_component(
    table: &Table<'_, '_>,
    name: &str,
    base: &Path,
) -> Result<ComponentEntry, DeviceError> {
    table.only(&[
        "path",
        "registry",
        "digest",
        "app",
        "plug",
        "kind",
        "grants",
        "config",
        "memory-limit",
        "restart",
        "poll-every",
        "commands",
    ])?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(table.table_error(
            ErrorKind::InvalidValue,
            "a component name is letters, digits, `-` and `_` (it names the component in logs and status)",
        ));
    }
    let source = read_source(table, base)?;
    let kind_text = table.str("kind")?.unwrap_or("app");
    let poll_every = table.duration("poll-every")?;
    let kind = match kind_text {
        "app" => {
            if poll_every.is_some() {
                return Err(table.value_error(
                    "poll-every",
                    ErrorKind::InvalidValue,
                    "`poll-every` is for `kind = \"sensor\"`; an app paces itself",
                ));
            }
            ComponentKind::App
        }
        "sensor" => {
            let poll_every = poll_every.ok_or_else(|| {
                table.key_error(
                    "poll-every",
                    ErrorKind::MissingKey,
                    "missing required key for `kind = \"sensor\"`",
                )
            })?;
            if poll_every < MIN_POLL_PERIOD {
                return Err(table.value_error(
                    "poll-every",
                    ErrorKind::InvalidValue,
                    format!(
                        "a sensor is polled at most every {} ms",
                        MIN_POLL_PERIOD.as_millis()
                    ),
                ));
            }
            ComponentKind::Sensor { poll_every }
        }
        "handler" => {
            if poll_every.is_some() {
                return Err(table.value_error(
                    "poll-every",
                    ErrorKind::InvalidValue,
                    "`poll-every` is for `kind = \"sensor\"`; a handler is called for commands",
                ));
            }
            ComponentKind::Handler
        }
        other => {
            return Err(table.value_error(
                "kind",
                ErrorKind::InvalidValue,
                format!("unknown value `{other}`, expected one of `app`, `sensor`, `handler`"),
            ));
        }
    };
    let grants = read_grants(table)?;
    let config = match table.table("config")? {
        Some(config) => read_config(&config)?,
        None => BTreeMap::new(),
    };
    let memory_limit = match table.raw("memory-limit") {
        None => DEFAULT_MEMORY_LIMIT,
        Some(value) => {
            let bytes = match value.get_ref() {
                DeValue::String(s) => parse_size(s),
                DeValue::Integer(i) => integer(i)
                    .ok()
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| "a size is not negative".to_string()),
                other => Err(format!(
                    "expected a size such as \"16 MiB\", found {}",
                    toml_type_name(other)
                )),
            }
            .map_err(|m| table.value_error("memory-limit", ErrorKind::InvalidValue, m))?;
            if !(64 << 10..=MAX_MEMORY_LIMIT).contains(&bytes) {
                return Err(table.value_error(
                    "memory-limit",
                    ErrorKind::InvalidValue,
                    "the memory limit is from 64 KiB (one WebAssembly page) to 4 GiB",
                ));
            }
            bytes
        }
    };
    let restart = match table.table("restart")? {
        Some(restart) => read_restart(&restart)?,
        None => RestartPolicy::OnFailure(Backoff::default()),
    };
    Ok(ComponentEntry {
        name: name.to_owned(),
        source,
        kind,
        grants,
        config,
        memory_limit,
        restart,
        commands: telemetry::read_commands(table, kind)?,
        location: table.location(),
    })
}

/// The most components one `plug` array may plug into an app.
pub const MAX_PLUGS: usize = 32;

/// Where a component's code comes from: `path`, `registry` + `digest`, or `app` + `plug`.
fn read_source(table: &Table<'_, '_>, base: &Path) -> Result<ComponentSource, DeviceError> {
    if let Some(app) = table.table("app")? {
        for key in ["path", "registry", "digest"] {
            if table.has(key) {
                return Err(table.value_error(
                    key,
                    ErrorKind::InvalidValue,
                    format!("give `app` (with `plug`) or `{key}`, not both"),
                ));
            }
        }
        app.only(&["path", "registry", "digest"])?;
        let app = read_piece(&app, base)?;
        let Some(value) = table.raw("plug") else {
            return Err(table.key_error(
                "plug",
                ErrorKind::MissingKey,
                "missing required key: the components to plug into the `app` \
                 (`plug = [{ path = \"driver.wasm\" }]`); an app alone is a `path`",
            ));
        };
        let shape = "`{ path = ... }` or `{ registry = ..., digest = ... }`";
        let DeValue::Array(array) = value.get_ref() else {
            return Err(table.value_error(
                "plug",
                ErrorKind::WrongType,
                format!(
                    "expected an array of {shape} tables, found {}",
                    toml_type_name(value.get_ref())
                ),
            ));
        };
        if array.is_empty() || array.len() > MAX_PLUGS {
            return Err(table.value_error(
                "plug",
                ErrorKind::InvalidValue,
                format!("`plug` names from 1 to {MAX_PLUGS} components"),
            ));
        }
        if let Some((index, element)) = array
            .iter()
            .enumerate()
            .find(|(_, e)| e.get_ref().as_table().is_none())
        {
            return Err(table.element_error(
                "plug",
                index,
                ErrorKind::WrongType,
                format!(
                    "expected a {shape} table, found {}",
                    toml_type_name(element.get_ref())
                ),
            ));
        }
        let mut plugs = Vec::new();
        for piece in table.array_of_tables("plug")? {
            piece.only(&["path", "registry", "digest"])?;
            plugs.push(read_piece(&piece, base)?);
        }
        return Ok(ComponentSource::Composed {
            app: Box::new(app),
            plugs,
        });
    }
    if table.has("plug") {
        return Err(table.value_error(
            "plug",
            ErrorKind::InvalidValue,
            "`plug` names the components plugged into an `app`: add `app = { path = ... }` or remove `plug`",
        ));
    }
    read_piece(table, base)
}

/// `path`, or `registry` + `digest`, of a component table or of an `app` / `plug` entry.
fn read_piece(table: &Table<'_, '_>, base: &Path) -> Result<ComponentSource, DeviceError> {
    match (table.str("path")?, table.str("registry")?) {
        (Some(path), None) => {
            if table.has("digest") {
                return Err(table.value_error(
                    "digest",
                    ErrorKind::InvalidValue,
                    "`digest` pins a `registry` reference; a `path` has none",
                ));
            }
            Ok(ComponentSource::Path(base.join(path)))
        }
        (None, Some(reference)) => {
            let (package, version) = parse_reference(reference)
                .map_err(|m| table.value_error("registry", ErrorKind::InvalidValue, m))?;
            let digest = table.str("digest")?.ok_or_else(|| {
                table.key_error(
                    "digest",
                    ErrorKind::MissingKey,
                    "missing required key: a registry reference is pinned by digest (`digest = \"sha256:...\"`) so a moved tag is refused",
                )
            })?;
            check_digest(digest)
                .map_err(|m| table.value_error("digest", ErrorKind::InvalidValue, m))?;
            Ok(ComponentSource::Registry {
                package,
                version,
                digest: digest.to_owned(),
            })
        }
        (Some(_), Some(_)) => Err(table.value_error(
            "registry",
            ErrorKind::InvalidValue,
            "give `path` or `registry`, not both",
        )),
        (None, None) => Err(table.table_error(
            ErrorKind::MissingKey,
            "missing required key `path` (a component file), `registry` (`ns:name@x.y.z`) or `app` (with `plug`)",
        )),
    }
}

/// `[device] registry`, `trusted-keys` and `allow-unsigned-paths`.
fn read_supply(device: &Table<'_, '_>, path: &Path) -> Result<Supply, DeviceError> {
    let base = path.parent().unwrap_or(Path::new(""));
    let registry = match device.str("registry")?.map(str::trim) {
        Some("") => {
            return Err(device.value_error(
                "registry",
                ErrorKind::InvalidValue,
                "the registry is empty: give `http://HOST:PORT`, `https://HOST[/PREFIX]` or a folder",
            ));
        }
        // A folder is resolved against the device file, as every other path in it.
        Some(text) if text.starts_with('.') => Some(base.join(text).display().to_string()),
        Some(text) => Some(text.to_owned()),
        None => None,
    };
    let trusted_keys = match device.strings(
        "trusted-keys",
        "an array of public key files (PEM)",
        "a public key file (PEM)",
    )? {
        Some(keys) if keys.is_empty() => {
            return Err(device.value_error(
                "trusted-keys",
                ErrorKind::InvalidValue,
                "`trusted-keys` is empty: name at least one public key file, or remove the key",
            ));
        }
        keys => keys
            .unwrap_or_default()
            .into_iter()
            .map(|key| base.join(key))
            .collect::<Vec<_>>(),
    };
    let allow_unsigned_paths = device.get::<bool>("allow-unsigned-paths")?.unwrap_or(false);
    if allow_unsigned_paths && trusted_keys.is_empty() {
        return Err(device.value_error(
            "allow-unsigned-paths",
            ErrorKind::InvalidValue,
            "`allow-unsigned-paths` only means something with `trusted-keys`: without them no component needs a signature",
        ));
    }
    Ok(Supply {
        registry,
        registry_at: device.location_of("registry"),
        trusted_keys,
        trusted_keys_at: device.location_of("trusted-keys"),
        allow_unsigned_paths,
    })
}

/// `ns:name@x.y.z` split into `ns:name` and `x.y.z`.
fn parse_reference(text: &str) -> Result<(String, String), String> {
    let bad = || format!("`{text}` is not a registry reference `namespace:name@x.y.z`");
    let (package, version) = text.split_once('@').ok_or_else(bad)?;
    let (namespace, name) = package.split_once(':').ok_or_else(bad)?;
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let numbers: Vec<&str> = version.split('.').collect();
    let semver = numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if !word(namespace) || !word(name) || !semver {
        return Err(bad());
    }
    Ok((package.to_owned(), version.to_owned()))
}

fn check_digest(text: &str) -> Result<(), String> {
    match text.strip_prefix("sha256:") {
        Some(hex)
            if hex.len() == 64
                && hex
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "`{text}` is not a digest `sha256:` followed by 64 lowercase hex digits"
        )),
    }
}

fn read_grants(table: &Table<'_, '_>) -> Result<Vec<Grant>, DeviceError> {
    let names = table.strings("grants", "an array of board names", "a board name")?;
    let mut grants = Vec::new();
    for (index, text) in names.unwrap_or_default().into_iter().enumerate() {
        let error =
            |message| table.element_error("grants", index, ErrorKind::InvalidValue, message);
        let grant = match text.split_once('@') {
            None => Grant {
                name: text.to_owned(),
                address: None,
            },
            Some((bus, address)) => {
                let address = address
                    .strip_prefix("0x")
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .filter(|a| *a < 0x80)
                    .ok_or_else(|| {
                        error(format!(
                            "`{text}`: an I2C address is written `BUS@0xAA`, a 7-bit address in hex"
                        ))
                    })?;
                Grant {
                    name: bus.to_owned(),
                    address: Some(address),
                }
            }
        };
        if grants.contains(&grant) {
            return Err(error(format!("`{grant}` is granted twice")));
        }
        grants.push(grant);
    }
    Ok(grants)
}

fn read_config(table: &Table<'_, '_>) -> Result<BTreeMap<String, String>, DeviceError> {
    let mut config = BTreeMap::new();
    for (key, value) in table.raw_entries() {
        let text = match value {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(i) => integer(i).map_or_else(|text| text, |n| n.to_string()),
            DeValue::Float(f) => f.as_str().to_owned(),
            DeValue::Boolean(b) => b.to_string(),
            other => {
                return Err(table.value_error(
                    key,
                    ErrorKind::WrongType,
                    format!(
                        "a config value is a string, number or boolean, found {}",
                        toml_type_name(other)
                    ),
                ));
            }
        };
        config.insert(key.to_owned(), text);
    }
    Ok(config)
}

fn read_restart(table: &Table<'_, '_>) -> Result<RestartPolicy, DeviceError> {
    table.only(&[
        "policy",
        "initial-backoff",
        "max-backoff",
        "limit",
        "window",
    ])?;
    let policy = table.str("policy")?.unwrap_or("on-failure");
    let defaults = Backoff::default();
    let backoff = Backoff {
        initial: table
            .duration("initial-backoff")?
            .unwrap_or(defaults.initial),
        max: table.duration("max-backoff")?.unwrap_or(defaults.max),
        limit: table.get::<u32>("limit")?.unwrap_or(defaults.limit),
        window: table.duration("window")?.unwrap_or(defaults.window),
    };
    match policy {
        "never" => {
            if let Some(key) = table.keys_in_order().into_iter().find(|k| *k != "policy") {
                return Err(table.value_error(
                    key,
                    ErrorKind::InvalidValue,
                    "`policy = \"never\"` restarts nothing: remove the backoff settings",
                ));
            }
            Ok(RestartPolicy::Never)
        }
        "on-failure" => {
            if backoff.initial.is_zero() {
                return Err(table.value_error(
                    "initial-backoff",
                    ErrorKind::InvalidValue,
                    "the backoff must be longer than 0",
                ));
            }
            if backoff.max < backoff.initial {
                return Err(table.value_error(
                    "max-backoff",
                    ErrorKind::InvalidValue,
                    "`max-backoff` is shorter than `initial-backoff`",
                ));
            }
            if backoff.window.is_zero() {
                return Err(table.value_error(
                    "window",
                    ErrorKind::InvalidValue,
                    "the window must be longer than 0",
                ));
            }
            Ok(RestartPolicy::OnFailure(backoff))
        }
        other => Err(table.value_error(
            "policy",
            ErrorKind::InvalidValue,
            format!("unknown value `{other}`, expected one of `never`, `on-failure`"),
        )),
    }
}

/// Every grant names something the board has; no board name, and no address of an I2C bus, is
/// granted to two components (a whole bus conflicts with any address of it).
fn check_grants(
    tables: &[(&str, Table<'_, '_>)],
    components: &[ComponentEntry],
    board: &BoardFile,
) -> Result<(), DeviceError> {
    // Who holds what: a whole name, or one address of a bus.
    let mut holders: HashMap<&Grant, &str> = HashMap::new();
    let mut whole_bus: HashMap<&str, &str> = HashMap::new();
    let mut bus_addresses: HashMap<&str, (&str, u8)> = HashMap::new();
    for (component, (_, entry)) in components.iter().zip(tables) {
        for (index, grant) in component.grants.iter().enumerate() {
            let error = |kind, message: String| entry.element_error("grants", index, kind, message);
            let is_i2c = board.i2c.contains_key(&grant.name);
            let exists = is_i2c
                || board.spi.contains_key(&grant.name)
                || board.gpio.contains_key(&grant.name)
                || board.pwm.contains_key(&grant.name)
                || board.sensors.contains_key(&grant.name);
            if !exists {
                let names: Vec<&str> = board.names().map(|(_, n)| n).collect();
                return Err(error(
                    ErrorKind::UndefinedName,
                    format!(
                        "the board {} has no name `{}` (its names: {})",
                        board.path.display(),
                        grant.name,
                        quoted_list(&names)
                    ),
                ));
            }
            if let Some(address) = grant.address {
                let Some(bus) = board.i2c.get(&grant.name) else {
                    return Err(error(
                        ErrorKind::InvalidValue,
                        format!(
                            "`{grant}`: `{}` is not an I2C bus, so it has no addresses",
                            grant.name
                        ),
                    ));
                };
                if !bus.policy.addresses.contains(&address) {
                    return Err(error(
                        ErrorKind::UndefinedName,
                        format!(
                            "the board does not allow address {address:#04x} on the I2C bus `{}`",
                            grant.name
                        ),
                    ));
                }
            }
            if let Some(other) = holders.get(grant) {
                return Err(error(
                    ErrorKind::GrantConflict,
                    format!("`{grant}` is already granted to the component `{other}`"),
                ));
            }
            match grant.address {
                None if is_i2c => {
                    if let Some((other, address)) = bus_addresses.get(grant.name.as_str()) {
                        return Err(error(
                            ErrorKind::GrantConflict,
                            format!(
                                "the whole I2C bus `{}` cannot be granted: its address {address:#04x} is granted to the component `{other}` (grant single addresses, `{}@0xAA`, to share a bus)",
                                grant.name, grant.name
                            ),
                        ));
                    }
                    whole_bus.insert(&grant.name, &component.name);
                }
                Some(address) => {
                    if let Some(other) = whole_bus.get(grant.name.as_str()) {
                        return Err(error(
                            ErrorKind::GrantConflict,
                            format!(
                                "the whole I2C bus `{}` is already granted to the component `{other}`",
                                grant.name
                            ),
                        ));
                    }
                    bus_addresses
                        .entry(&grant.name)
                        .or_insert((&component.name, address));
                }
                None => {}
            }
            holders.insert(grant, &component.name);
        }
    }
    Ok(())
}
