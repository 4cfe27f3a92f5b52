//! `cargo xtask build`: every WIT package as binary WIT and every guest component, in release,
//! into `target/wasi-hal/`.
//!
//! Layout of the output folder:
//! - `wit/<namespace>-<name>@<version>.wasm`: binary WIT packages, one per folder of `wit/`;
//! - `components/<crate>.wasm`: drivers, apps, virtual boards (`virtual-boards/`) and adapters
//!   (`adapters/`);
//! - `components/test-programs/<crate>/<program>.wasm`: the guest test programs (`build` and
//!   `test`; `run`, `publish` and `catalog --docs` leave them out);
//! - `compositions/<name>.wasm`: each `compositions/<name>.wac`, composed with wac-graph from the
//!   components above (a package `wasi-hal:<crate>` is `components/<crate>.wasm`);
//! - `web/`: the static web page that runs `compositions/pacman-pmod-oled-virtual.wasm` in a
//!   browser (`host/web`, built by `host/js/src/build-web.mjs`; see docs/hosts.md), when set-up
//!   installed the npm packages of `host/js` (`cargo xtask build` and `test`; `run` and
//!   `publish` skip it, and so does `build` when Node.js 20.19 or newer is not on PATH).
//! - `hub/`: the chart library of the hub's dashboard (uPlot, pinned in
//!   `host/hub/web/package-lock.json`), which `wasi-hal hub` serves from here; built when the
//!   web page is, with the same one line when it is skipped.

use crate::setup::WASM_TARGET;
use crate::workspace::{self, GuestKind, Workspace};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The composition the web page runs: it needs only WASI 0.2.
const WEB_COMPOSITION: &str = "pacman-pmod-oled-virtual";

/// What a build produced.
pub struct Built {
    /// Binary WIT packages written.
    pub packages: usize,
    /// Components written.
    pub components: usize,
}

/// What a build leaves out.
pub struct Options<'a> {
    /// `host/js` with its npm packages installed: the web page is built with them, and skipped
    /// with one line when there are none.
    pub js: Option<&'a Path>,
    /// Why there are no npm packages, for the one line that says the web page is skipped
    /// (`None`: this task does not build the web page).
    pub no_js_because: Option<&'a str>,
    /// componentize-py, when set-up installed it: the Python guests are built with it.
    pub python: Option<&'a crate::python::ComponentizePy>,
    /// Why there is no componentize-py, for the one line that says the Python guests are
    /// skipped (`None` with no `python`: this task does not build them).
    pub no_python_because: Option<&'a str>,
    /// Whether to build the guest test programs (`tests/programs/`): the tests need them,
    /// the main job does not.
    pub test_programs: bool,
}

/// Builds everything `options` asks for and prints a listing with sizes.
pub fn run(options: Options<'_>) -> Result<Built> {
    let out = workspace::output_dir();
    let mut listing: Vec<(String, PathBuf)> = Vec::new();

    let wit_out = out.join("wit");
    std::fs::create_dir_all(&wit_out)
        .with_context(|| format!("failed to create {}", wit_out.display()))?;
    let packages = workspace::step("encoding the WIT packages of wit/ as binary WIT", || {
        let packages = wasi_hal_wit::Package::load_all(&workspace::root().join("wit"))?;
        for package in &packages {
            let bytes = package.encode()?;
            let path = wit_out.join(package.binary_file_name());
            write_atomically(&path, &bytes)?;
            listing.push((format!("WIT package {}", package.name()), path));
        }
        Ok(packages)
    })?;

    let ws = Workspace::load()?;
    let components_out = out.join("components");
    std::fs::create_dir_all(&components_out)?;
    let mut components = 0;
    for kind in [
        GuestKind::Library,
        GuestKind::Driver,
        GuestKind::App,
        GuestKind::VirtualBoard,
        GuestKind::Adapter,
        GuestKind::TestPrograms,
    ] {
        if kind == GuestKind::TestPrograms && !options.test_programs {
            eprintln!("==> guest test programs: skipped (the tests build them)");
            continue;
        }
        let all: Vec<&workspace::Guest> =
            ws.guest_crates.iter().filter(|g| g.kind == kind).collect();
        if all.is_empty() {
            continue;
        }
        // One cargo run per kind of target: adapters are libraries and binaries.
        for bin in [false, true] {
            let crates: Vec<&str> = all
                .iter()
                .filter(|g| g.bin == bin)
                .map(|g| g.name.as_str())
                .collect();
            if crates.is_empty() {
                continue;
            }
            // Test programs share their target folder with the test suite's artifacts build, so
            // that `cargo xtask test` compiles them once.
            let target_dir = match kind {
                GuestKind::TestPrograms => workspace::root().join("target/test-programs"),
                _ => workspace::root().join("target"),
            };
            let target_dir_arg = target_dir.to_string_lossy().into_owned();
            let mut args = vec![
                "build",
                "--target",
                WASM_TARGET,
                "--profile",
                "guest",
                "--target-dir",
                target_dir_arg.as_str(),
            ];
            for name in &crates {
                args.extend(["--package", name]);
            }
            args.push(match kind {
                GuestKind::TestPrograms => "--examples",
                _ if bin => "--bins",
                _ => "--lib",
            });
            let what = match kind {
                GuestKind::Library => "the guest libraries",
                GuestKind::Driver => "the drivers",
                GuestKind::App => "the apps",
                GuestKind::VirtualBoard => "the virtual boards",
                GuestKind::Adapter if bin => "the adapter commands",
                GuestKind::Adapter => "the adapters",
                GuestKind::TestPrograms => "the guest test programs",
            };
            workspace::step(&format!("building {what} for {WASM_TARGET}"), || {
                workspace::cargo(&args)
            })?;

            let built = target_dir.join(WASM_TARGET).join("guest");
            for name in &crates {
                let artifact = name.replace('-', "_");
                match kind {
                    GuestKind::Library => {}
                    GuestKind::Driver
                    | GuestKind::App
                    | GuestKind::VirtualBoard
                    | GuestKind::Adapter => {
                        // A library's file name has `_` for `-`; a binary is named after its
                        // target, which is the package name unless the manifest says otherwise.
                        let from = [artifact.as_str(), name]
                            .iter()
                            .map(|f| built.join(format!("{f}.wasm")))
                            .find(|p| p.exists())
                            .unwrap_or_else(|| built.join(format!("{name}.wasm")));
                        let to = components_out.join(format!("{name}.wasm"));
                        copy(&from, &to)?;
                        let label = match kind {
                            GuestKind::Driver => "driver",
                            GuestKind::VirtualBoard => "virtual board",
                            GuestKind::Adapter => "adapter",
                            _ => "app",
                        };
                        listing.push((format!("{label} {name}"), to));
                        components += 1;
                    }
                    GuestKind::TestPrograms => {
                        let dir = components_out.join("test-programs").join(name);
                        std::fs::create_dir_all(&dir)?;
                        for example in examples_of(name)? {
                            let from = built
                                .join("examples")
                                .join(format!("{}.wasm", example.replace('-', "_")));
                            let to = dir.join(format!("{example}.wasm"));
                            copy(&from, &to)?;
                            listing.push((format!("test program {name}/{example}"), to));
                            components += 1;
                        }
                    }
                }
            }
        }
    }

    // JavaScript guests (drivers/ and apps/ with a package.json), with componentize-js: built
    // when set-up installed the npm packages (Node.js is there), like the web page.
    match options.js {
        Some(_) => {
            let js = crate::js_guests::build(&components_out)?;
            components += js.len();
            listing.extend(js);
        }
        None => eprintln!(
            "==> JavaScript guests: skipped ({})",
            options
                .no_js_because
                .unwrap_or("this task does not use them; `cargo xtask build` builds them")
        ),
    }

    // Python guests (drivers/ and apps/ with a python-component.toml), with componentize-py.
    match options.python {
        Some(tool) => {
            let python = crate::python::build(tool, &components_out, options.test_programs)?;
            components += python.len();
            listing.extend(python);
        }
        None => eprintln!(
            "==> Python guests: skipped ({})",
            options
                .no_python_because
                .unwrap_or("this task does not use them; `cargo xtask build` builds them")
        ),
    }

    let compositions_out = out.join("compositions");
    std::fs::create_dir_all(&compositions_out)?;
    let mut deps = std::collections::HashMap::new();
    for entry in std::fs::read_dir(&components_out)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm")
            && let Some(stem) = path.file_stem()
        {
            deps.insert(format!("wasi-hal:{}", stem.to_string_lossy()), path);
        }
    }
    let mut wac_files: Vec<PathBuf> = std::fs::read_dir(workspace::root().join("compositions"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "wac"))
                .collect()
        })
        .unwrap_or_default();
    wac_files.sort();
    // Guests this task did not build (no Python or Node.js here, or a task that does not use
    // them): a composition made with one of them is skipped, and says so.
    let mut not_built = Vec::new();
    if options.js.is_none() {
        not_built.extend(crate::js_guests::guests()?.into_iter().map(|g| g.name));
    }
    if options.python.is_none() {
        not_built.extend(crate::python::guests()?.into_iter().map(|g| g.name));
    }
    let mut skipped = Vec::new();
    wac_files.retain(|wac| {
        let uses_unbuilt = wasi_hal_compose::referenced_packages(wac)
            .map(|names| {
                names.iter().any(|n| {
                    n.strip_prefix("wasi-hal:")
                        .is_some_and(|n| not_built.iter().any(|g| g == n))
                })
            })
            // A WAC file that does not parse is composed below, which reports where.
            .unwrap_or(false);
        if uses_unbuilt {
            skipped.push(
                wac.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
        !uses_unbuilt
    });
    if !skipped.is_empty() {
        eprintln!(
            "==> compositions with Python or JavaScript guests: skipped ({}): their guests were \
             not built",
            skipped.join(", ")
        );
    }
    let composed = workspace::step("composing compositions/*.wac with wac-graph", || {
        let mut composed = Vec::new();
        for wac in &wac_files {
            let bytes = wasi_hal_compose::compose_file(wac, &deps)?;
            let name = wac
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let to = compositions_out.join(format!("{name}.wasm"));
            write_atomically(&to, &bytes)?;
            composed.push((format!("composition {name}"), to));
        }
        Ok(composed)
    })?;
    components += composed.len();
    listing.extend(composed);

    // The web page that runs the self-contained pacman in a browser (docs/hosts.md).
    match options.js {
        Some(js) => {
            let web = out.join("web");
            workspace::step("building the web page (host/web, with jco)", || {
                workspace::run(
                    std::process::Command::new("node")
                        .arg(js.join("src/build-web.mjs"))
                        .arg(compositions_out.join(format!("{WEB_COMPOSITION}.wasm")))
                        .arg(&web),
                )
            })?;
            listing.push(("web page".into(), web.join("index.html")));
        }
        None => eprintln!(
            "==> web page: skipped ({})",
            options
                .no_js_because
                .unwrap_or("`cargo xtask build` builds it when Node.js 20.19 or newer is on PATH")
        ),
    }

    // The chart library of the hub's dashboard (docs/fleet.md).
    match options.js {
        Some(_) => {
            let files = workspace::step(
                "building the hub page's chart library (host/hub/web)",
                || build_hub_page(&out.join("hub")),
            )?;
            listing.extend(files.into_iter().map(|f| ("hub page".to_string(), f)));
        }
        None => eprintln!(
            "==> hub page: skipped ({})",
            options
                .no_js_because
                .unwrap_or("`cargo xtask build` builds it when Node.js 20.19 or newer is on PATH")
        ),
    }

    println!("{:<52} {:>10}  path", "built", "bytes");
    for (label, path) in &listing {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let rel = path.strip_prefix(workspace::root()).unwrap_or(path);
        println!("{label:<52} {size:>10}  {}", rel.display());
    }
    Ok(Built {
        packages: packages.len(),
        components,
    })
}

/// Installs the npm packages of `host/hub/web` (its lock file pins them) and copies the files
/// the dashboard loads from `/vendor/` into `to`.
fn build_hub_page(to: &Path) -> Result<Vec<PathBuf>> {
    let dir = workspace::root().join("host").join("hub").join("web");
    let dir = crate::setup::ensure_npm_packages_in(&dir, crate::setup::Need::Required)?
        .map_err(|why| anyhow::anyhow!(why))?;
    let dist = dir.join("node_modules").join("uplot").join("dist");
    std::fs::create_dir_all(to).with_context(|| format!("failed to create {}", to.display()))?;
    let mut written = Vec::new();
    for file in ["uPlot.iife.min.js", "uPlot.min.css"] {
        copy(&dist.join(file), &to.join(file))?;
        written.push(to.join(file));
    }
    Ok(written)
}

/// The example names of a test-program crate (its `examples/*.rs`).
fn examples_of(package: &str) -> Result<Vec<String>> {
    let short = package.trim_start_matches("test-programs-");
    let dir = workspace::root()
        .join("tests/programs")
        .join(short)
        .join("examples");
    let mut names = Vec::new();
    for entry in
        std::fs::read_dir(&dir).with_context(|| format!("failed to list {}", dir.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs")
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    let bytes = std::fs::read(from).with_context(|| format!("{} was not built", from.display()))?;
    write_atomically(to, &bytes)
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so a reader
/// never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("wasm.tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("failed to move {} into place", path.display()))
}
