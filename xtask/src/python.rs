//! Python guests: componentize-py, pinned, in the tool cache, and the components it makes.
//!
//! A Python guest is a folder under `drivers/` or `apps/` with a `python-component.toml`:
//!
//! ```toml
//! [component]
//! description = "One sentence: what it is."   # as a crate's description (the registry uses it)
//! version = "0.1.0"
//!
//! [python]
//! module = "bme680"                           # the module with the export classes
//! world = "wasi-hal:bme680-py/driver"         # the world in its wit/ folder
//! wit = ["../../wit/wasi-i2c", "wit"]         # WIT folders, relative to the guest's folder
//! ```
//!
//! componentize-py 0.25.1 comes from PyPI as a wheel (`pip download`, which checks it against
//! the digest the index publishes) and is unpacked into `<cache>/tools/componentize-py-0.25.1`:
//! nothing is installed into any Python environment or system-wide. Each component is cached under
//! `target/wasi-hal/python/` by a hash of everything it is made from (its folder, its WIT
//! folders, the componentize-py version), because componentize-py takes half a minute for each.

use crate::setup::cache_dir;
use crate::workspace;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned componentize-py.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// The file that makes a folder a Python guest.
pub const MANIFEST: &str = "python-component.toml"; // = wasi_hal_registry::project::PYTHON_MANIFEST

/// Unpacks the one wheel in a folder (a wheel is a zip file), with Python's standard library.
/// Arguments: the folder pip downloaded into, the destination folder.
const UNPACK_SCRIPT: &str = r#"
import pathlib, sys, zipfile
wheels = list(pathlib.Path(sys.argv[1]).glob("*.whl"))
if len(wheels) != 1:
    sys.exit(f"expected one wheel in {sys.argv[1]}, found {len(wheels)}")
zipfile.ZipFile(wheels[0]).extractall(sys.argv[2])
print(f"unpacked {wheels[0].name} ({wheels[0].stat().st_size} bytes)")
"#;

/// Whether `python3 -m pip` runs.
fn pip_works() -> bool {
    Command::new("python3")
        .args(["-m", "pip", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// componentize-py, ready to run: the folder it is unpacked in (its `PYTHONPATH`).
#[derive(Clone, Debug)]
pub struct ComponentizePy {
    /// The unpacked wheel.
    pub dir: PathBuf,
}

impl ComponentizePy {
    /// A command running componentize-py with `python3`.
    fn command(&self) -> Command {
        let mut cmd = Command::new("python3");
        cmd.arg("-c")
            .arg("import sys, componentize_py; sys.exit(componentize_py.script())")
            .env("PYTHONPATH", &self.dir)
            // No bytecode files written into the tool cache or the sources.
            .env("PYTHONDONTWRITEBYTECODE", "1");
        cmd
    }
}

/// Installs componentize-py unless it is there. When it is not `required`, a machine without
/// `python3` gets `Err(why)` (one line then says the Python guests are skipped); when it is,
/// that is an error.
pub fn ensure_componentize_py(
    required: bool,
) -> Result<std::result::Result<ComponentizePy, String>> {
    let python_version = || {
        Command::new("python3")
            .arg("--version")
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let version = match python_version() {
        Some(version) => version,
        None if required => {
            // The tests need it: Debian's Python, like the other Debian packages they use.
            crate::setup::ensure_deb("python3")?;
            python_version().context("python3 was installed but does not run")?
        }
        None => {
            return Ok(Err(
                "python3 is not on PATH (componentize-py runs on it)".to_owned()
            ));
        }
    };
    let dir = cache_dir()
        .join("tools")
        .join(format!("componentize-py-{COMPONENTIZE_PY_VERSION}"));
    if dir.join("componentize_py").exists() {
        eprintln!(
            "==> componentize-py {COMPONENTIZE_PY_VERSION}: present ({}, {version})",
            dir.display()
        );
        return Ok(Ok(ComponentizePy { dir }));
    }
    if !pip_works() {
        if !required {
            return Ok(Err(
                "pip is missing (`python3 -m pip` downloads componentize-py)".to_owned(),
            ));
        }
        crate::setup::ensure_deb("python3-pip")?;
    }
    let partial = dir.with_extension("partial");
    let wheel_dir = dir.with_extension("wheel");
    for folder in [&partial, &wheel_dir] {
        let _ = std::fs::remove_dir_all(folder);
    }
    workspace::step(
        &format!(
            "installing componentize-py {COMPONENTIZE_PY_VERSION} from PyPI (once per machine)"
        ),
        || {
            // pip checks the wheel against the digest the index publishes for it; the wheel is
            // only unpacked, never installed into a Python environment.
            workspace::run(
                Command::new("python3")
                    .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
                    .arg(format!("componentize-py=={COMPONENTIZE_PY_VERSION}"))
                    .arg("--dest")
                    .arg(&wheel_dir),
            )?;
            workspace::run(
                Command::new("python3")
                    .args(["-c", UNPACK_SCRIPT])
                    .arg(&wheel_dir)
                    .arg(&partial),
            )
        },
    )?;
    let _ = std::fs::remove_dir_all(&wheel_dir);
    // Whole or not at all: a second run never finds half a wheel.
    std::fs::rename(&partial, &dir)
        .with_context(|| format!("cannot move {} to {}", partial.display(), dir.display()))?;
    Ok(Ok(ComponentizePy { dir }))
}

/// A Python guest's `python-component.toml`.
#[derive(Debug)]
pub struct Guest {
    /// Its folder name, which is also its package name (`wasi-hal:<name>`) and file name.
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
    /// The module with the export classes.
    pub module: String,
    /// The world it targets.
    pub world: String,
    /// Its WIT folders, resolved.
    pub wit: Vec<PathBuf>,
}

/// The Python guests under `drivers/` and `apps/`, by name.
pub fn guests() -> Result<Vec<Guest>> {
    guests_in(&["drivers", "apps"])
}

/// The Python guest test programs, under `tests/programs/python/`: built for the tests into
/// `components/test-programs/python/`, never published.
pub fn test_guests() -> Result<Vec<Guest>> {
    guests_in(&[TEST_PROGRAMS])
}

/// The folder of the Python guest test programs, relative to the workspace root.
const TEST_PROGRAMS: &str = "tests/programs/python";

/// The Python guests in the folders of `folders` (relative to the workspace root), by name.
fn guests_in(folders: &[&str]) -> Result<Vec<Guest>> {
    let mut guests = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(workspace::root().join(folder)) else {
            continue;
        };
        for entry in entries {
            let dir = entry?.path();
            let manifest = dir.join(MANIFEST);
            if manifest.exists() {
                guests.push(read_guest(&dir, &manifest)?);
            }
        }
    }
    guests.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(guests)
}

fn read_guest(dir: &Path, manifest: &Path) -> Result<Guest> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let doc: toml::Table = toml::from_str(&text)
        .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
    let python = doc
        .get("python")
        .and_then(|p| p.as_table())
        .with_context(|| format!("{}: no [python] table", manifest.display()))?;
    let text_key = |key: &str| -> Result<String> {
        python
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .with_context(|| format!("{}: [python] needs `{key}` (a string)", manifest.display()))
    };
    let wit = python
        .get("wit")
        .and_then(|v| v.as_array())
        .with_context(|| {
            format!(
                "{}: [python] needs `wit` (a list of folders)",
                manifest.display()
            )
        })?
        .iter()
        .map(|v| {
            let rel = v.as_str().with_context(|| {
                format!(
                    "{}: [python] wit: every entry is a folder name",
                    manifest.display()
                )
            })?;
            let path = dir.join(rel);
            anyhow::ensure!(
                path.is_dir(),
                "{}: [python] wit: {} is not a folder",
                manifest.display(),
                path.display()
            );
            Ok(path)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Guest {
        name: dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        dir: dir.to_path_buf(),
        module: text_key("module")?,
        world: text_key("world")?,
        wit,
    })
}

/// The hash of everything a guest's component is made from: `parts` (tool versions, names) and
/// every file under `folders` (but `__pycache__` and `node_modules`).
pub(crate) fn inputs_hash(parts: &[&str], folders: &[PathBuf]) -> Result<String> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for folder in folders {
        let mut files = Vec::new();
        collect_files(folder, &mut files)?;
        files.sort();
        for file in files {
            hasher.update(file.to_string_lossy().as_bytes());
            hasher.update(
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?,
            );
        }
    }
    Ok(format!("{:x}", hasher.finalize())[..16].to_owned())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name == "__pycache__" || name == "node_modules" {
            continue;
        }
        // Symbolic links to folders (a JavaScript guest's wit/deps) are followed.
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Builds `name` into `components_out/<name>.wasm` with `make(partial_output)`, unless the cache
/// (`target/wasi-hal/<cache>/`) has it for `hash`; older builds of `name` are removed. Returns
/// the component file.
pub(crate) fn build_cached(
    cache: &str,
    name: &str,
    hash: &str,
    what: &str,
    components_out: &Path,
    make: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let cache = workspace::output_dir().join(cache);
    std::fs::create_dir_all(&cache)
        .with_context(|| format!("cannot create {}", cache.display()))?;
    let cached = cache.join(format!("{name}-{hash}.wasm"));
    if cached.exists() {
        eprintln!("==> {what} {name}: unchanged ({})", cached.display());
    } else {
        let partial = cached.with_extension("partial");
        workspace::step(&format!("building the {what} {name}"), || make(&partial))?;
        // Older builds of this guest are of no more use.
        for entry in std::fs::read_dir(&cache)? {
            let path = entry?.path();
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            let is_wasm = path.extension().is_some_and(|e| e == "wasm");
            if is_wasm && stem.rsplit_once('-').is_some_and(|(n, _)| n == name) {
                let _ = std::fs::remove_file(&path);
            }
        }
        std::fs::rename(&partial, &cached).with_context(|| {
            format!("cannot move {} to {}", partial.display(), cached.display())
        })?;
    }
    let to = components_out.join(format!("{name}.wasm"));
    std::fs::copy(&cached, &to)
        .with_context(|| format!("cannot copy {} to {}", cached.display(), to.display()))?;
    Ok(to)
}

/// Builds every Python guest into `components_out/<name>.wasm`, and with `test_programs` the
/// test programs into `components_out/test-programs/python/<name>.wasm` (each from the cache when
/// nothing it is made from changed); returns `(label, path)` for the listing.
pub fn build(
    tool: &ComponentizePy,
    components_out: &Path,
    test_programs: bool,
) -> Result<Vec<(String, PathBuf)>> {
    let mut built = Vec::new();
    let mut all: Vec<(Guest, PathBuf, &str)> = guests()?
        .into_iter()
        .map(|g| (g, components_out.to_path_buf(), "Python guest"))
        .collect();
    if test_programs {
        let out = components_out.join("test-programs").join("python");
        std::fs::create_dir_all(&out)
            .with_context(|| format!("cannot create {}", out.display()))?;
        all.extend(
            test_guests()?
                .into_iter()
                .map(|g| (g, out.clone(), "Python test program")),
        );
    }
    for (guest, out, what) in all {
        let mut folders = vec![guest.dir.clone()];
        folders.extend(guest.wit.iter().cloned());
        let hash = inputs_hash(
            &[COMPONENTIZE_PY_VERSION, &guest.module, &guest.world],
            &folders,
        )?;
        let to = build_cached("python", &guest.name, &hash, what, &out, |partial| {
            let mut cmd = tool.command();
            for wit in &guest.wit {
                cmd.arg("-d").arg(wit);
            }
            cmd.args(["-w", &guest.world, "componentize", "-p"])
                .arg(&guest.dir)
                .arg(&guest.module)
                .arg("-o")
                .arg(partial);
            workspace::run(&mut cmd)
        })?;
        built.push((format!("{what} {}", guest.name), to));
    }
    Ok(built)
}
