//! Publishing to a real OCI registry and fetching back with the real CLIs.
//!
//! Each test starts its own CNCF distribution registry (`docker-registry`, installed by
//! `cargo xtask setup`) on a free port of 127.0.0.1 with its storage in a temporary folder, and
//! uses its own wkg configuration and cache. What is published is what `cargo xtask publish`
//! publishes ([`wasi_hal_registry::project::collect`]), made from the components the test suite
//! builds. The `wkg` and `wac` CLIs are the pinned ones from `WASI_HAL_WKG` / `WASI_HAL_WAC` (set
//! by `cargo xtask setup`/`test`), else from the cache `cargo xtask setup` installs them into.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasi_hal::{Outcome, RunOptions};
use wasi_hal_registry::distribution::DistributionRegistry;
use wasi_hal_registry::project::{self, COMPONENT_FOLDERS, Item, Sources};
use wasi_hal_registry::publish::{self, Outcome as Published};
use wasi_hal_registry::signing::{self, SigningKey, TrustedKeys};
use wasi_hal_registry::{Credentials, Registry, Session, catalog};
use wasi_hal_tests::root;

/// A new empty folder outside the repository (so wkg finds no `wkg.toml` above it); removed when
/// dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "wasi-hal-registry-{label}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cannot create a temporary folder");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wkg_bin() -> PathBuf {
    wasi_hal_tests::wkg_cli()
}

fn wac_bin() -> PathBuf {
    wasi_hal_tests::wac_cli()
}

/// Everything the project publishes, made once from the components the test suite builds.
fn items() -> &'static [Item] {
    static ITEMS: OnceLock<Vec<Item>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        let guest = Path::new(test_programs_artifacts::DRIVER_PMOD_OLED)
            .parent()
            .unwrap()
            .to_path_buf();
        let mut components = BTreeMap::new();
        for (folder, _) in COMPONENT_FOLDERS {
            let Ok(entries) = std::fs::read_dir(root().join(folder)) else {
                continue;
            };
            for entry in entries {
                let dir = entry.unwrap().path();
                let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                // A library's file has `_` for `-`; a binary (an app, the run adapter) keeps
                // the package name.
                let file = [name.replace('-', "_"), name.clone()]
                    .iter()
                    .map(|f| guest.join(format!("{f}.wasm")))
                    .find(|f| f.exists());
                if let Some(file) = file.filter(|_| dir.join("Cargo.toml").exists()) {
                    components.insert(name, file);
                } else if dir.join(project::PYTHON_MANIFEST).exists()
                    || dir.join("package.json").exists()
                {
                    // A Python or JavaScript guest: `cargo xtask build` makes it
                    // (componentize-py, componentize-js), before `cargo xtask test` runs the
                    // tests.
                    let file = root().join(format!("target/wasi-hal/components/{name}.wasm"));
                    assert!(
                        file.exists(),
                        "{} is missing: `cargo xtask build` builds the Python and JavaScript guests",
                        file.display()
                    );
                    components.insert(name, file);
                }
            }
        }
        project::collect(&Sources {
            root: root(),
            components,
        })
        .expect("collecting what the project publishes failed")
    })
}

fn item(name: &str) -> &'static Item {
    items()
        .iter()
        .find(|i| i.name() == name)
        .unwrap_or_else(|| panic!("{name} is not among the published items"))
}

/// A running registry with everything published to it.
struct PublishedRegistry {
    _dir: TempDir,
    server: DistributionRegistry,
}

fn registry_with_everything() -> PublishedRegistry {
    let dir = TempDir::new("server");
    let server = DistributionRegistry::start(&dir.0).expect("starting docker-registry failed");
    let registry = server.registry();
    let names: Vec<String> = items().iter().map(|i| i.package.clone()).collect();
    let session = Session::open(&registry, &names).unwrap();
    let done = publish::publish_all(&session, items()).unwrap();
    assert_eq!(done.len(), items().len());
    assert!(done.iter().all(|p| p.outcome == Published::Published));
    PublishedRegistry { _dir: dir, server }
}

/// A wkg configuration and an empty cache for `registry`, in `dir`.
fn wkg_env(registry: &Registry, dir: &Path) -> (PathBuf, PathBuf) {
    let names: Vec<String> = items().iter().map(|i| i.package.clone()).collect();
    let config = dir.join("wkg-config.toml");
    registry.write_wkg_config(&config, &names).unwrap();
    let cache = dir.join("wkg-cache");
    (config, cache)
}

fn wkg(args: &[&str], cwd: &Path, config: &Path, cache: &Path) -> Output {
    Command::new(wkg_bin())
        .args(args)
        .current_dir(cwd)
        .env("WKG_CONFIG_FILE", config)
        .env("WKG_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .output()
        .expect("cannot start wkg")
}

/// Runs `wkg get SPEC -o <dir>/out/get.wasm`; returns wkg's output and the `out` folder (made
/// here), which a failed get must leave empty.
fn wkg_get_into_out(spec: &str, dir: &Path, config: &Path, cache: &Path) -> (Output, PathBuf) {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let target = out.join("get.wasm");
    let result = wkg(
        &["get", spec, "-o", target.to_str().unwrap()],
        dir,
        config,
        cache,
    );
    (result, out)
}

/// A command's standard output and error, as text.
fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Asserts that a failed command left no file in any of `dirs` (its output folder, its cache).
fn assert_nothing_written(what: &str, dirs: &[&Path]) {
    for dir in dirs {
        let files = files_under(dir);
        assert!(
            files.is_empty(),
            "{what} left {files:?} in {}",
            dir.display()
        );
    }
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn publishing_follows_dependency_order() {
    let mut seen = std::collections::BTreeSet::new();
    for item in items() {
        for dep in &item.depends_on {
            assert!(
                seen.contains(dep),
                "{} is published before {dep}, which it uses",
                item.name()
            );
        }
        seen.insert(item.package.clone());
    }
    let kinds: Vec<&str> = items().iter().map(|i| i.kind.label()).collect();
    for kind in ["wit", "driver", "app", "composition"] {
        assert!(kinds.contains(&kind), "nothing of kind {kind} is published");
    }
    assert!(
        item("wasi-hal:pmod-oled@0.1.0")
            .depends_on
            .contains("wasi:spi")
    );
    assert!(
        item("wasi-hal:pacman-pmod-oled@0.1.0")
            .depends_on
            .contains("wasi-hal:pacman")
    );
}

#[test]
fn wkg_get_from_a_fresh_folder_gives_the_published_bytes() {
    let published = registry_with_everything();
    let dir = TempDir::new("get");
    let (config, cache) = wkg_env(&published.server.registry(), &dir.0);
    assert!(!cache.exists(), "the cache must start empty");
    let out = dir.0.join("spi.wasm");
    let result = wkg(
        &["get", "wasi:spi@0.1.0", "-o", out.to_str().unwrap()],
        &dir.0,
        &config,
        &cache,
    );
    assert!(
        result.status.success(),
        "wkg get failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let fetched = std::fs::read(&out).unwrap();
    assert!(
        fetched == item("wasi:spi@0.1.0").bytes,
        "wkg get wasi:spi@0.1.0 gave {} bytes that differ from the {} published",
        fetched.len(),
        item("wasi:spi@0.1.0").bytes.len()
    );
    assert_eq!(
        wasi_hal_wit::decode_package_name(&fetched).unwrap(),
        "wasi:spi@0.1.0"
    );
}

/// The manifest of `repository:tag` in the registry at `host`, as JSON.
fn manifest(host: &str, repository: &str, tag: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /v2/{repository}/manifests/{tag} HTTP/1.0\r\nHost: {host}\r\n\
         Accept: application/vnd.oci.image.manifest.v1+json\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not a manifest ({e}): {text}"))
}

/// The repositories of the registry at `host` (`/v2/_catalog`), sorted.
fn repository_catalog(host: &str) -> Vec<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET /v2/_catalog HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let catalog: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not a catalog ({e}): {text}"));
    let mut names: Vec<String> = catalog["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn releases_carry_name_version_and_annotations() {
    let published = registry_with_everything();
    for (repository, name, description) in [
        (
            "wasi/spi",
            "wasi:spi@0.1.0",
            "SPI controller access for components.",
        ),
        (
            "wasi-hal/pmod-oled",
            "wasi-hal:pmod-oled@0.1.0",
            "display:pixels driver component",
        ),
        (
            "wasi-hal/pacman-pmod-oled",
            "wasi-hal:pacman-pmod-oled@0.1.0",
            "Pacman on a Digilent Pmod OLED",
        ),
    ] {
        let m = manifest(published.server.host(), repository, "0.1.0");
        let a = &m["annotations"];
        assert_eq!(
            a["org.opencontainers.image.version"], "0.1.0",
            "{name}: {m}"
        );
        assert_eq!(
            a["org.opencontainers.image.licenses"], "Apache-2.0 WITH LLVM-exception",
            "{name}: {m}"
        );
        assert_eq!(
            a["org.opencontainers.image.source"], "https://github.com/wasi-hal/wasi-hal",
            "{name}: {m}"
        );
        let d = a["org.opencontainers.image.description"]
            .as_str()
            .unwrap_or_default();
        assert!(d.starts_with(description), "{name}: description {d:?}");
        assert_eq!(
            m["layers"][0]["mediaType"], "application/wasm",
            "{name}: {m}"
        );
        assert_eq!(m["layers"][0]["digest"], item(name).digest(), "{name}: {m}");
        let meta = wasm_metadata::Payload::from_binary(&item(name).bytes).unwrap();
        assert_eq!(
            meta.metadata().name.as_deref(),
            Some(name.split('@').next().unwrap()),
            "{name}: the name in the component's metadata"
        );
    }
}

#[test]
fn pacman_and_pmod_oled_from_the_registry_plug_and_show_the_golden_frames() {
    let published = registry_with_everything();
    let dir = TempDir::new("plug");
    let (config, cache) = wkg_env(&published.server.registry(), &dir.0);
    for name in ["wasi-hal:pacman@0.1.0", "wasi-hal:pmod-oled@0.1.0"] {
        let out = dir
            .0
            .join(format!("{}.wasm", name.split([':', '@']).nth(1).unwrap()));
        let result = wkg(
            &["get", name, "-o", out.to_str().unwrap()],
            &dir.0,
            &config,
            &cache,
        );
        assert!(
            result.status.success(),
            "wkg get {name} failed: {}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    let plugged = dir.0.join("pacman-pmod-oled.wasm");
    let result = Command::new(wac_bin())
        .arg("plug")
        .arg(dir.0.join("pacman.wasm"))
        .arg("--plug")
        .arg(dir.0.join("pmod-oled.wasm"))
        .arg("-o")
        .arg(&plugged)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "wac plug failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    // The golden frames of tests/golden/pacman-pmod-oled (tests/tests/compositions.rs checks the
    // locally built composition against the same files).
    for frames in [1, 90, 150] {
        let screenshot = dir.0.join(format!("screenshot-{frames}.png"));
        let outcome = wasi_hal::run(&RunOptions {
            component: plugged.clone(),
            board: root().join("boards/sim-pacman-pmod-oled.toml"),
            frames: Some(frames),
            screenshot: Some(screenshot.clone()),
            ..RunOptions::default()
        })
        .expect("the plugged pacman could not start");
        assert!(matches!(outcome, Outcome::Success), "{outcome:?}");
        let golden = root().join(format!(
            "tests/golden/pacman-pmod-oled/frame-{frames:03}.png"
        ));
        let expected = wasi_hal_sim_render::load_png(&golden).unwrap();
        let actual = wasi_hal_sim_render::load_png(&screenshot).unwrap();
        assert!(
            expected == actual,
            "pacman + pmod-oled from the registry, plugged by wac, differs from {} after {frames} \
             frames",
            golden.display()
        );
    }
}

#[test]
fn changed_content_under_a_published_version_is_refused() {
    let dir = TempDir::new("immutable");
    let server = DistributionRegistry::start(&dir.0.join("server")).unwrap();
    let registry = server.registry();
    let spi = item("wasi:spi@0.1.0");
    let session =
        Session::open(&registry, &["wasi:spi".into(), "wasi-hal:pmod-oled".into()]).unwrap();
    publish::publish_all(&session, std::slice::from_ref(spi)).unwrap();
    // The same bytes again: nothing to do.
    let again = publish::publish_all(&session, std::slice::from_ref(spi)).unwrap();
    assert_eq!(again[0].outcome, Published::Unchanged);
    // Other bytes under the same version (a changed doc comment): refused.
    let mut changed = spi.clone();
    changed.bytes = with_description(&spi.bytes, "A changed description.");
    let err = publish::publish_all(&session, &[changed.clone()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("wasi:spi@0.1.0"), "{err}");
    assert!(
        err.contains(&spi.digest()) && err.contains(&changed.digest()),
        "{err}"
    );
    assert!(err.contains(&registry.url()), "{err}");
    // The same for a component.
    let oled = item("wasi-hal:pmod-oled@0.1.0");
    publish::publish_all(&session, std::slice::from_ref(oled)).unwrap();
    let mut changed_oled = oled.clone();
    changed_oled.bytes = with_description(&oled.bytes, "Changed.");
    let err = publish::publish_all(&session, &[changed_oled])
        .unwrap_err()
        .to_string();
    assert!(err.contains("wasi-hal:pmod-oled@0.1.0"), "{err}");
    // The registry still serves the first bytes.
    assert_eq!(session.fetch("wasi:spi", "0.1.0").unwrap(), spi.bytes);
    assert_eq!(
        session.fetch("wasi-hal:pmod-oled", "0.1.0").unwrap(),
        oled.bytes
    );
}

/// `bytes` with another description in their metadata: other content, same package.
fn with_description(bytes: &[u8], description: &str) -> Vec<u8> {
    let mut add = wasm_metadata::AddMetadata::default();
    add.description = wasm_metadata::AddMetadataField::Set(wasm_metadata::Description::new(
        description.to_string(),
    ));
    add.to_wasm(bytes).unwrap()
}

/// `wasi:spi` with `version` and, when `breaking`, a new case in `error-code`, encoded.
fn spi_variant(dir: &Path, version: &str, breaking: bool) -> Item {
    let text = std::fs::read_to_string(root().join("wit/wasi-spi/spi.wit")).unwrap();
    let mut text = text.replace(
        "package wasi:spi@0.1.0;",
        &format!("package wasi:spi@{version};"),
    );
    if breaking {
        text = text.replacen(
            "enum error-code {",
            "enum error-code {\n        /// New.\n        brand-new-case,",
            1,
        );
    }
    let folder = dir.join(format!("spi-{version}"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("spi.wit"), text).unwrap();
    let package = wasi_hal_wit::Package::load(&folder).unwrap();
    Item {
        version: version.into(),
        bytes: package.encode().unwrap(),
        ..item("wasi:spi@0.1.0").clone()
    }
}

#[test]
fn a_breaking_change_needs_a_new_track() {
    let dir = TempDir::new("semver");
    let server = DistributionRegistry::start(&dir.0.join("server")).unwrap();
    let session = Session::open(&server.registry(), &["wasi:spi".into()]).unwrap();
    publish::publish_all(&session, std::slice::from_ref(item("wasi:spi@0.1.0"))).unwrap();
    let err = publish::publish_all(&session, &[spi_variant(&dir.0, "0.1.1", true)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasi:spi@0.1.1") && err.contains("0.1.0"),
        "{err}"
    );
    assert!(err.contains("not compatible"), "{err}");
    let versions: Vec<String> = session
        .versions("wasi:spi")
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        versions,
        ["0.1.0"],
        "the refused release must not be in the registry"
    );
    // The same change on a new track is accepted.
    publish::publish_all(&session, &[spi_variant(&dir.0, "0.2.0", true)]).unwrap();

    // Components too: a pmod-oled 0.1.1 that imports wasi:i2c (the ssd1306-i2c component under
    // that name) adds an import, which breaks its hosts: refused as 0.1.1, accepted as 0.2.0.
    let session = Session::open(&server.registry(), &["wasi-hal:pmod-oled".into()]).unwrap();
    publish::publish_all(
        &session,
        std::slice::from_ref(item("wasi-hal:pmod-oled@0.1.0")),
    )
    .unwrap();
    let other = |version: &str| Item {
        version: version.into(),
        ..item("wasi-hal:ssd1306-i2c@0.1.0").clone()
    };
    let other = |version: &str| Item {
        package: "wasi-hal:pmod-oled".into(),
        ..other(version)
    };
    let err = publish::publish_all(&session, &[other("0.1.1")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasi-hal:pmod-oled@0.1.1") && err.contains("not compatible"),
        "{err}"
    );
    publish::publish_all(&session, &[other("0.2.0")]).unwrap();
    let versions: Vec<String> = session
        .versions("wasi-hal:pmod-oled")
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(versions, ["0.1.0", "0.2.0"]);
    let session = Session::open(&server.registry(), &["wasi:spi".into()]).unwrap();
    // And a compatible patch (same content, new version) too.
    publish::publish_all(&session, &[spi_variant(&dir.0, "0.1.1", false)]).unwrap();
}

#[test]
fn a_registry_that_is_down_is_a_clear_error_and_leaves_nothing() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let registry = Registry::insecure_oci(&format!("127.0.0.1:{port}"));
    let err = match Session::open(&registry, &["wasi:spi".into()]) {
        Ok(_) => panic!("a session with a registry that is down opened"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(&format!("http://127.0.0.1:{port}")) && err.contains("does not answer"),
        "{err}"
    );
    let dir = TempDir::new("down");
    let (config, cache) = wkg_env(&registry, &dir.0);
    let (result, out) = wkg_get_into_out("wasi:spi@0.1.0", &dir.0, &config, &cache);
    assert!(
        !result.status.success(),
        "wkg get from a registry that is down succeeded"
    );
    let said = output_text(&result);
    assert!(
        said.contains(&format!("127.0.0.1:{port}")),
        "wkg does not name the registry: {said}"
    );
    assert_nothing_written("wkg", &[&out, &cache]);
}

#[test]
fn unknown_packages_and_versions_are_clear_errors_and_leave_nothing() {
    let dir = TempDir::new("unknown");
    let server = DistributionRegistry::start(&dir.0.join("server")).unwrap();
    let registry = server.registry();
    let session = Session::open(&registry, &["wasi:spi".into(), "wasi:nothing".into()]).unwrap();
    publish::publish_all(&session, std::slice::from_ref(item("wasi:spi@0.1.0"))).unwrap();
    let err = session
        .fetch("wasi:nothing", "0.1.0")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasi:nothing") && err.contains(&registry.url()),
        "{err}"
    );
    let err = session.fetch("wasi:spi", "9.9.9").unwrap_err().to_string();
    assert!(
        err.contains("9.9.9") && err.contains("wasi:spi") && err.contains("0.1.0"),
        "{err}"
    );

    let (config, cache) = wkg_env(&registry, &dir.0);
    for spec in ["wasi:spi@9.9.9", "wasi-hal:nothing@0.1.0"] {
        let (result, out) = wkg_get_into_out(spec, &dir.0, &config, &cache);
        assert!(!result.status.success(), "wkg get {spec} succeeded");
        let said = output_text(&result);
        assert!(
            said.contains(spec) && said.contains("Failed to get release"),
            "wkg does not name {spec}: {said}"
        );
        assert_nothing_written(&format!("wkg get {spec}"), &[&out, &cache]);
    }
}

#[test]
fn wrong_credentials_are_a_clear_error() {
    let dir = TempDir::new("auth");
    let good = Credentials {
        username: "hal".into(),
        password: "right-password".into(),
    };
    let server =
        DistributionRegistry::start_with_credentials(&dir.0.join("server"), good.clone()).unwrap();
    let wrong = server.registry().with_credentials(Some(Credentials {
        password: "wrong-password".into(),
        ..good.clone()
    }));
    let err = match Session::open(&wrong, &["wasi:spi".into()]) {
        Ok(_) => panic!("wrong credentials were accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("rejected the credentials")
            && err.contains("`hal`")
            && err.contains(&wrong.url()),
        "{err}"
    );
    assert!(
        !err.contains("wrong-password"),
        "the message shows the password: {err}"
    );
    let none = server.registry().with_credentials(None);
    let err = match Session::open(&none, &["wasi:spi".into()]) {
        Ok(_) => panic!("no credentials were accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("needs credentials"), "{err}");
    // The right ones publish and fetch.
    let session = Session::open(&server.registry(), &["wasi:spi".into()]).unwrap();
    publish::publish_all(&session, std::slice::from_ref(item("wasi:spi@0.1.0"))).unwrap();
    assert_eq!(
        session.fetch("wasi:spi", "0.1.0").unwrap(),
        item("wasi:spi@0.1.0").bytes
    );
    // wkg with the wrong password in its configuration: an error, nothing written or cached.
    let (config, cache) = wkg_env(&wrong, &dir.0);
    let (result, out) = wkg_get_into_out("wasi:spi@0.1.0", &dir.0, &config, &cache);
    assert!(
        !result.status.success(),
        "wkg get with a wrong password succeeded"
    );
    assert_nothing_written("wkg", &[&out, &cache]);
}

#[test]
fn docs_catalog_is_up_to_date() {
    let dir = TempDir::new("catalog");
    let registry = Registry::local(&dir.0.join("local"));
    let names: Vec<String> = items().iter().map(|i| i.package.clone()).collect();
    let session = Session::open(&registry, &names).unwrap();
    publish::publish_all(&session, items()).unwrap();
    let markdown = catalog::build(&registry).unwrap().to_markdown();
    let path = root().join("docs/catalog.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == markdown,
        "{} is out of date: regenerate it with `cargo xtask catalog --docs`",
        path.display()
    );
}

#[test]
fn the_oci_catalog_equals_the_local_one() {
    let published = registry_with_everything();
    let oci = catalog::build(&published.server.registry()).unwrap();
    let dir = TempDir::new("catalog-local");
    let local = Registry::local(&dir.0.join("local"));
    let names: Vec<String> = items().iter().map(|i| i.package.clone()).collect();
    publish::publish_all(&Session::open(&local, &names).unwrap(), items()).unwrap();
    let local = catalog::build(&local).unwrap();
    assert_eq!(oci.to_markdown(), local.to_markdown());
    let spi = oci
        .interfaces
        .iter()
        .find(|i| i.interface == "wasi:spi/spi@0.1.0")
        .expect("wasi:spi/spi@0.1.0 is not in the catalog");
    assert_eq!(spi.defined_by.as_deref(), Some("wasi:spi@0.1.0"));
    assert!(
        spi.imported_by.contains("wasi-hal:pmod-oled@0.1.0"),
        "{spi:?}"
    );
    let display = oci
        .interfaces
        .iter()
        .find(|i| i.interface == "display:pixels/display@0.1.1")
        .unwrap();
    assert!(
        display.exported_by.contains("wasi-hal:pmod-oled@0.1.0"),
        "{display:?}"
    );
    assert!(
        display.imported_by.contains("wasi-hal:pacman@0.1.0"),
        "{display:?}"
    );
}

/// A driver crate outside the repository that depends on `wasi:spi` and `wasi:gpio` from the
/// registry, in `dir`.
fn out_of_repo_driver_crate(dir: &Path) {
    std::fs::create_dir_all(dir.join("wit")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("wit/world.wit"),
        "package example:blinky-driver@0.1.0;\n\n\
         world driver {\n    import wasi:spi/spi@0.1.0;\n    import wasi:gpio/gpio@0.1.0;\n    \
         export inventory: func() -> u32;\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"blinky-driver\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n\
         [dependencies]\nwit-bindgen = { version = \"0.61\", default-features = false, \
         features = [\"macros\", \"realloc\"] }\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "//! A driver built against wasi:spi and wasi:gpio fetched from a registry.\n\
         wit_bindgen::generate!({ path: \"wit\", world: \"driver\", generate_all });\n\n\
         /// The driver.\n\
         struct Driver;\n\n\
         impl Guest for Driver {\n    \
         /// How many SPI devices and GPIO pins the host offers.\n    \
         fn inventory() -> u32 {\n        \
         (wasi::spi::spi::get_device_names().len() + wasi::gpio::gpio::get_pins().len()) as u32\n    \
         }\n}\n\n\
         export!(Driver);\n",
    )
    .unwrap();
}

/// The `(name, digest)` pairs of a `wkg.lock`.
fn locked_digests(lock: &Path) -> BTreeMap<String, String> {
    let lock: toml::Table = toml::from_str(&std::fs::read_to_string(lock).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for package in lock["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        for version in package["versions"].as_array().unwrap() {
            out.insert(
                format!("{name}@{}", version["version"].as_str().unwrap()),
                version["digest"].as_str().unwrap().to_string(),
            );
        }
    }
    out
}

#[test]
fn a_driver_crate_outside_the_repository_fetches_from_the_registry_and_builds() {
    let published = registry_with_everything();
    let dir = TempDir::new("crate");
    let krate = dir.0.join("blinky-driver");
    out_of_repo_driver_crate(&krate);
    let (config, cache) = wkg_env(&published.server.registry(), &dir.0);
    let result = wkg(&["fetch"], &krate, &config, &cache);
    assert!(
        result.status.success(),
        "wkg fetch failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let deps = files_under(&krate.join("wit/deps"));
    assert!(
        deps.iter().any(|f| f.starts_with("wasi-spi-0.1.0/"))
            && deps.iter().any(|f| f.starts_with("wasi-gpio-0.1.0/")),
        "wit/deps holds {deps:?}"
    );
    let locked = locked_digests(&krate.join("wkg.lock"));
    for name in ["wasi:spi@0.1.0", "wasi:gpio@0.1.0"] {
        assert_eq!(
            locked.get(name),
            Some(&item(name).digest()),
            "wkg.lock: {locked:?}"
        );
    }
    // Dependencies compile once in a folder of the shared target directory.
    let target = root().join("target/tmp/registry-crate");
    let build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--target", "wasm32-wasip2", "--release"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cannot start cargo");
    assert!(
        build.status.success(),
        "the driver crate did not build: {}",
        String::from_utf8_lossy(&build.stderr)
    );
    let wasm = target.join("wasm32-wasip2/release/blinky_driver.wasm");
    let imports = match wasi_hal_registry::inspect::inspect(&std::fs::read(&wasm).unwrap()).unwrap()
    {
        wasi_hal_registry::inspect::Contents::Component { imports, .. } => imports,
        other => panic!("{} is not a component: {other:?}", wasm.display()),
    };
    assert!(
        imports.contains("wasi:spi/spi@0.1.0") && imports.contains("wasi:gpio/gpio@0.1.0"),
        "{imports:?}"
    );
}

/// An app crate outside the repository whose world imports `display:pixels/display@0.1.0` (the
/// first release, not the newest), in `dir`.
fn out_of_repo_pixels_0_1_0_app(dir: &Path) {
    std::fs::create_dir_all(dir.join("wit")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("wit/world.wit"),
        "package example:old-app@0.1.0;\n\n\
         world app {\n    import display:pixels/display@0.1.0;\n    \
         export pixels: func() -> u32;\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"old-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n\
         [dependencies]\nwit-bindgen = { version = \"0.61\", default-features = false, \
         features = [\"macros\", \"realloc\"] }\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "//! An app built against display:pixels@0.1.0 fetched from a registry.\n\
         wit_bindgen::generate!({ path: \"wit\", world: \"app\", generate_all });\n\n\
         /// The app.\n\
         struct App;\n\n\
         impl Guest for App {\n    \
         /// The number of pixels of the display, 0 when it does not open.\n    \
         fn pixels() -> u32 {\n        \
         match display::pixels::display::open() {\n            \
         Ok(d) => { let i = d.get_info(); i.width * i.height }\n            \
         Err(_) => 0,\n        }\n    }\n}\n\n\
         export!(App);\n",
    )
    .unwrap();
}

#[test]
fn a_consumer_of_an_earlier_release_fetches_it_and_builds() {
    let published = registry_with_everything();
    // Both releases of display:pixels are published, the first one unchanged since its release.
    let old = item("display:pixels@0.1.0");
    assert!(item("display:pixels@0.1.1").bytes != old.bytes);
    let dir = TempDir::new("old-consumer");
    let krate = dir.0.join("old-app");
    out_of_repo_pixels_0_1_0_app(&krate);
    let (config, cache) = wkg_env(&published.server.registry(), &dir.0);
    let result = wkg(&["fetch"], &krate, &config, &cache);
    assert!(
        result.status.success(),
        "wkg fetch of display:pixels@0.1.0 failed: {}",
        output_text(&result)
    );
    let deps = files_under(&krate.join("wit/deps"));
    assert!(
        deps.iter().any(|f| f.starts_with("display-pixels-0.1.0/")),
        "wit/deps holds {deps:?}"
    );
    let locked = locked_digests(&krate.join("wkg.lock"));
    assert_eq!(
        locked.get("display:pixels@0.1.0"),
        Some(&old.digest()),
        "wkg.lock: {locked:?}"
    );
    let fetched: String = deps
        .iter()
        .map(|f| std::fs::read_to_string(krate.join("wit/deps").join(f)).unwrap())
        .collect();
    assert!(
        fetched.contains("package display:pixels@0.1.0") && !fetched.contains("word-pixels"),
        "wit/deps is not the 0.1.0 release: {fetched}"
    );
    let target = root().join("target/tmp/registry-crate");
    let build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--target", "wasm32-wasip2", "--release"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cannot start cargo");
    assert!(
        build.status.success(),
        "the 0.1.0 app did not build: {}",
        String::from_utf8_lossy(&build.stderr)
    );
    let wasm = target.join("wasm32-wasip2/release/old_app.wasm");
    let imports = match wasi_hal_registry::inspect::inspect(&std::fs::read(&wasm).unwrap()).unwrap()
    {
        wasi_hal_registry::inspect::Contents::Component { imports, .. } => imports,
        other => panic!("{} is not a component: {other:?}", wasm.display()),
    };
    assert!(
        imports.contains("display:pixels/display@0.1.0"),
        "{imports:?}"
    );
}

#[test]
fn a_digest_that_does_not_match_the_lock_is_refused_and_leaves_nothing() {
    let dir = TempDir::new("lock");
    let server = DistributionRegistry::start(&dir.0.join("server")).unwrap();
    let registry = server.registry();
    let session = Session::open(&registry, &["wasi:spi".into(), "wasi:gpio".into()]).unwrap();
    let spi = item("wasi:spi@0.1.0");
    publish::publish_all(&session, &[item("wasi:gpio@0.1.0").clone(), spi.clone()]).unwrap();
    let krate = dir.0.join("blinky-driver");
    out_of_repo_driver_crate(&krate);
    let (config, cache) = wkg_env(&registry, &dir.0);
    let result = wkg(&["fetch"], &krate, &config, &cache);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    // The tag moves: other bytes under wasi:spi@0.1.0, pushed past every check (as a
    // misbehaving publisher could with a plain OCI push).
    let moved = with_description(&spi.bytes, "Moved tag.");
    let moved_digest = wasi_hal_registry::sha256_digest(&moved);
    let push = Command::new(wkg_bin())
        .args(["oci", "push", "--insecure", server.host()])
        .arg(format!("{}/wasi/spi:0.1.0", server.host()))
        .arg({
            let p = dir.0.join("moved.wasm");
            std::fs::write(&p, &moved).unwrap();
            p
        })
        .output()
        .unwrap();
    assert!(
        push.status.success(),
        "{}",
        String::from_utf8_lossy(&push.stderr)
    );

    // A build from the lock with an empty cache: wkg 0.16.1 checks the lock in `wkg build`
    // (its `wkg fetch` does not consult the lock; see docs/registry.md).
    let fresh_cache = dir.0.join("fresh-cache");
    let out = dir.0.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let built = out.join("blinky-driver.wasm");
    let result = wkg(
        &["build", "-o", built.to_str().unwrap()],
        &krate,
        &config,
        &fresh_cache,
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "wkg build accepted a moved tag");
    assert!(
        stderr.contains(&moved_digest)
            && stderr.contains(&spi.digest())
            && stderr.contains("wasi:spi"),
        "the error does not name the package and both digests: {stderr}"
    );
    assert!(
        files_under(&out).is_empty(),
        "wkg build left {:?}",
        files_under(&out)
    );
    let moved_hex = moved_digest.trim_start_matches("sha256:");
    let cached = files_under(&fresh_cache);
    assert!(
        !cached.iter().any(|f| f.contains(moved_hex)),
        "wkg cached the moved package: {cached:?}"
    );
    assert_eq!(
        locked_digests(&krate.join("wkg.lock")).get("wasi:spi@0.1.0"),
        Some(&spi.digest()),
        "the lock changed"
    );
}

#[test]
fn the_local_registry_makes_the_same_checks_and_writes_whole_files() {
    let dir = TempDir::new("local-checks");
    let root_dir = dir.0.join("local");
    let registry = Registry::local(&root_dir);
    let session = Session::open(&registry, &["wasi:spi".into()]).unwrap();
    let spi = item("wasi:spi@0.1.0");
    publish::publish_all(&session, std::slice::from_ref(spi)).unwrap();
    assert_eq!(
        std::fs::read(root_dir.join("wasi/spi/0.1.0.wasm")).unwrap(),
        spi.bytes
    );
    let err = publish::publish_all(&session, &[spi_variant(&dir.0, "0.1.1", true)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("not compatible"), "{err}");
    let mut changed = spi.clone();
    changed.bytes = with_description(&spi.bytes, "Changed.");
    let err = publish::publish_all(&session, &[changed])
        .unwrap_err()
        .to_string();
    assert!(err.contains("other content"), "{err}");
    // Only whole releases in the registry's folder: no temporary files left behind.
    assert_eq!(files_under(&root_dir), ["wasi/spi/0.1.0.wasm"]);
}

#[test]
fn a_registry_under_a_namespace_prefix_is_published_to_and_fetched_from_there() {
    let dir = TempDir::new("prefix");
    let server = DistributionRegistry::start(&dir.0.join("server")).unwrap();
    // As `--registry http://HOST:PORT/myorg/hal` on the command line.
    let registry = Registry::parse(
        &format!("http://{}/myorg/hal", server.host()),
        &dir.0.join("unused"),
    )
    .unwrap();
    let released: Vec<Item> = [
        "wasi:spi@0.1.0",
        "wasi:gpio@0.1.0",
        "wasi-hal:pmod-oled@0.1.0",
    ]
    .map(|n| item(n).clone())
    .to_vec();
    let names: Vec<String> = released.iter().map(|i| i.package.clone()).collect();
    let session = Session::open(&registry, &names).unwrap();
    publish::publish_all(&session, &released).unwrap();
    // Every repository is under the prefix (a WIT package through wasm-pkg-client, a component
    // through the tooling's own push), and carries the published bytes.
    for i in &released {
        let repository = format!("myorg/hal/{}", i.package.replace(':', "/"));
        let m = manifest(server.host(), &repository, &i.version);
        assert_eq!(m["layers"][0]["digest"], i.digest(), "{repository}: {m}");
    }
    let repositories = repository_catalog(server.host());
    assert_eq!(
        repositories,
        [
            "myorg/hal/wasi-hal/pmod-oled",
            "myorg/hal/wasi/gpio",
            "myorg/hal/wasi/spi"
        ],
    );
    // The catalog through the prefix lists the packages by their own names.
    let listed: Vec<String> = catalog::build(&registry)
        .unwrap()
        .packages
        .iter()
        .map(|p| p.package.clone())
        .collect();
    assert_eq!(listed, ["wasi-hal:pmod-oled", "wasi:gpio", "wasi:spi"]);
    // wkg, with the configuration the tooling writes, gets and fetches through the prefix.
    let (config, cache) = wkg_env(&registry, &dir.0);
    for i in &released {
        let (result, out) = wkg_get_into_out(&i.name(), &dir.0, &config, &cache);
        assert!(
            result.status.success(),
            "wkg get {}: {}",
            i.name(),
            output_text(&result)
        );
        assert!(
            std::fs::read(out.join("get.wasm")).unwrap() == i.bytes,
            "{}",
            i.name()
        );
        std::fs::remove_dir_all(out).unwrap();
    }
    let krate = dir.0.join("blinky-driver");
    out_of_repo_driver_crate(&krate);
    let result = wkg(&["fetch"], &krate, &config, &cache);
    assert!(
        result.status.success(),
        "wkg fetch: {}",
        output_text(&result)
    );
    let locked = locked_digests(&krate.join("wkg.lock"));
    assert_eq!(
        locked.get("wasi:spi@0.1.0"),
        Some(&item("wasi:spi@0.1.0").digest())
    );
}

/// A new key pair in `dir`: (`signing.key`, `signing.pub`).
fn key_pair(dir: &Path, label: &str) -> (SigningKey, PathBuf) {
    let key = SigningKey::generate();
    let public = dir.join(format!("{label}.pub"));
    std::fs::write(&public, key.public_key().to_pem().unwrap()).unwrap();
    (key, public)
}

#[test]
fn signed_releases_verify_and_unsigned_or_tampered_ones_are_refused() {
    let dir = TempDir::new("signing");
    let server = DistributionRegistry::start(&dir.0.join("server")).unwrap();
    let registry = server.registry();
    let (key, public) = key_pair(&dir.0, "release");
    let (_, stranger) = key_pair(&dir.0, "stranger");
    let trusted = TrustedKeys::read(std::slice::from_ref(&public)).unwrap();
    let spi = item("wasi:spi@0.1.0");
    let gpio = item("wasi:gpio@0.1.0");
    let oled = item("wasi-hal:pmod-oled@0.1.0");
    let names: Vec<String> = [spi, gpio, oled]
        .iter()
        .map(|i| i.package.clone())
        .collect();
    let session = Session::open(&registry, &names).unwrap();
    publish::publish_all(&session, &[spi.clone(), gpio.clone(), oled.clone()]).unwrap();
    for i in [spi, oled] {
        session.sign(&i.package, &i.version, &key).unwrap();
    }
    // Signed by the trusted key: the published bytes.
    assert!(
        session
            .fetch_verified("wasi:spi", "0.1.0", &trusted)
            .unwrap()
            == spi.bytes
    );
    assert!(
        session
            .fetch_verified("wasi-hal:pmod-oled", "0.1.0", &trusted)
            .unwrap()
            == oled.bytes
    );
    // Signing again adds nothing.
    let before = session.signed_release("wasi:spi", "0.1.0").unwrap();
    session.sign("wasi:spi", "0.1.0", &key).unwrap();
    assert_eq!(
        session
            .signed_release("wasi:spi", "0.1.0")
            .unwrap()
            .signatures,
        before.signatures
    );
    // The signature is where cosign looks for it: <repository>:sha256-<hex>.sig, one
    // simple-signing layer with the signature annotation.
    let sig = manifest(
        server.host(),
        "wasi/spi",
        &signing::signature_tag(&before.manifest_digest),
    );
    assert_eq!(
        sig["layers"][0]["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    assert!(sig["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"].is_string());

    // Unsigned.
    let err = session
        .fetch_verified("wasi:gpio", "0.1.0", &trusted)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasi:gpio@0.1.0 is not signed") && err.contains(".sig"),
        "{err}"
    );
    // Signed, but by a key that is not trusted.
    let err = session
        .fetch_verified(
            "wasi:spi",
            "0.1.0",
            &TrustedKeys::read(std::slice::from_ref(&stranger)).unwrap(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasi:spi@0.1.0 is refused") && err.contains("not made by a trusted key"),
        "{err}"
    );
    // Tampered: other bytes pushed under the signed tag, past every check.
    let tampered = with_description(&oled.bytes, "Tampered.");
    let file = dir.0.join("tampered.wasm");
    std::fs::write(&file, &tampered).unwrap();
    let push = Command::new(wkg_bin())
        .args(["oci", "push", "--insecure", server.host()])
        .arg(format!("{}/wasi-hal/pmod-oled:0.1.0", server.host()))
        .arg(&file)
        .output()
        .unwrap();
    assert!(push.status.success(), "{}", output_text(&push));
    let err = session
        .fetch_verified("wasi-hal:pmod-oled", "0.1.0", &trusted)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasi-hal:pmod-oled@0.1.0") && err.contains("not signed"),
        "{err}"
    );
    // Tampered signature: the signature of the original manifest copied under the new
    // manifest's tag does not cover it.
    let now = session
        .signed_release("wasi-hal:pmod-oled", "0.1.0")
        .unwrap();
    assert_ne!(now.manifest_digest, before.manifest_digest);
    let original = key.sign(
        &session.docker_reference("wasi-hal:pmod-oled"),
        &before.manifest_digest,
    );
    let err = signing::verify(
        "wasi-hal:pmod-oled@0.1.0",
        &session.docker_reference("wasi-hal:pmod-oled"),
        &now.manifest_digest,
        &[original],
        &trusted,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("changed after it was signed"), "{err}");
}
