//! Tests against a real Linux kernel: each test boots Debian's packaged kernel in QEMU (KVM when
//! `/dev/kvm` works) with a small initramfs, and runs *itself* in there.
//!
//! A test function has two halves. On the machine, [`Vm::run`] packs the test binary (at its own
//! path), the shared libraries it links, the files the test names (components, board files, at
//! their own paths), busybox and the kernel modules into an initramfs, boots the kernel, and
//! inside the VM runs the test binary for that one test with `WASI_HAL_IN_VM=1`; it reads the
//! serial console, and fails with the console output when the in-VM half fails, when the VM
//! does not finish in time (it is killed), or when the kernel is not set up. Inside the VM,
//! [`in_vm`] is true and the same function runs its other half: it loads modules, makes
//! simulated chips ([`gpio_sim::SimChip`]) and drives the real `/dev` with the host crates.
//!
//! The kernel, its modules and gpio-sim are prepared by `cargo xtask setup` (xtask/src/vm.rs)
//! into `$WASI_HAL_VM_KERNEL_DIR`, default the folder named in `<cache>/vm/current`. The part of
//! the initramfs that does not change between tests (busybox, modules, libraries) is cached in
//! `<cache>/vm/initramfs/`, keyed by a hash of its content. See docs/kernel-tests.md.

pub mod cpio;
pub mod gpio_sim;
pub mod guest;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The variable that marks the in-VM half of a test.
pub const IN_VM: &str = "WASI_HAL_IN_VM";

/// Set to `1` to run the VM tests under TCG emulation where KVM is not usable (several times
/// slower); without it they are skipped there with one line.
pub const ALLOW_TCG: &str = "WASI_HAL_VM_TCG";

/// Where the modules sit inside the VM.
pub const MODULE_DIR: &str = "/lib/wasi-hal-modules";

/// The line the init script prints with the test's exit status.
const RESULT_MARK: &str = "WASI-HAL-VM-RESULT";

/// Whether this process is the in-VM half of a test.
pub fn in_vm() -> bool {
    std::env::var_os(IN_VM).is_some_and(|v| v == "1")
}

/// A VM for one test.
#[derive(Debug, Clone)]
pub struct Vm {
    files: Vec<PathBuf>,
    timeout: Duration,
    memory_mib: u32,
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

/// How the kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accel {
    /// Hardware virtualisation through `/dev/kvm`.
    Kvm,
    /// QEMU's emulator.
    Tcg,
}

impl Vm {
    /// A VM with the default time limit (60 s with KVM, 5 min under TCG).
    pub fn new() -> Self {
        Self {
            files: Vec::new(),
            timeout: Duration::from_secs(60),
            memory_mib: 1024,
        }
    }

    /// Puts `path` into the VM at the same path (a component, a board file).
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Kills the VM after `timeout` (under KVM; five times as long under TCG).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Boots the VM and runs the test `name` of this test binary in it (its in-VM half).
    /// Panics with the console output when that fails; returns the console output otherwise.
    /// Returns `None`, after one line on stderr, where the VM tests cannot run (no usable KVM
    /// and TCG not allowed).
    pub fn run(&self, name: &str) -> Option<String> {
        let accel = match accel() {
            Some(a) => a,
            None => {
                eprintln!(
                    "skipped {name}: /dev/kvm is not usable here; set {ALLOW_TCG}=1 to run the VM \
                     tests under TCG emulation (several times slower)"
                );
                return None;
            }
        };
        let kernel = kernel_dir().unwrap_or_else(|e| panic!("{e}"));
        let initramfs = self
            .initramfs(&kernel, name)
            .unwrap_or_else(|e| panic!("cannot build the initramfs for {name}: {e}"));
        let timeout = match accel {
            Accel::Kvm => self.timeout,
            Accel::Tcg => self.timeout * 5,
        };
        let slot = VmSlot::take();
        let result = boot(&kernel, initramfs.path(), accel, self.memory_mib, timeout);
        drop(slot);
        drop(initramfs);
        match result {
            Ok(console) => {
                let status = console
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(RESULT_MARK))
                    .map(|s| s.trim().to_string());
                match status.as_deref() {
                    // A name that matched no test would also exit 0: the test must have run.
                    Some("0") if console.contains("test result: ok. 1 passed") => Some(console),
                    Some("0") => panic!(
                        "the in-VM half of {name} did not run (no `1 passed` line); \
                         console:\n{}",
                        quoted(&console)
                    ),
                    Some(code) => panic!(
                        "the in-VM half of {name} failed (exit status {code}); console:\n{}",
                        quoted(&console)
                    ),
                    None => panic!(
                        "the VM for {name} stopped without a result line; console:\n{}",
                        quoted(&console)
                    ),
                }
            }
            Err(e) => panic!("the VM for {name}: {e}"),
        }
    }

    /// The test binary and the test's files go in at their own absolute paths (the in-VM half
    /// finds them where the host half does); the initramfs's root is writable, so nothing is
    /// mounted over a folder they may be in (a checkout under /tmp, for one).
    fn initramfs(&self, kernel: &Path, name: &str) -> std::io::Result<TempFile> {
        let exe = std::env::current_exe()?;
        let base = base_part(kernel, &exe)?;
        let mut archive = cpio::Archive::new();
        archive.file_from_disk(&exe, &exe, 0o755)?;
        for f in &self.files {
            archive.file_from_disk(f, f, 0o644)?;
        }
        let init = format!(
            "#!/bin/busybox sh\n\
             /bin/busybox --install -s /bin\n\
             export PATH=/bin\n\
             mount -t proc proc /proc\n\
             mount -t sysfs sysfs /sys\n\
             mount -t devtmpfs devtmpfs /dev\n\
             insmod {MODULE_DIR}/configfs.ko\n\
             mount -t configfs configfs /sys/kernel/config\n\
             echo WASI-HAL-VM-START\n\
             cd /tmp\n\
             {IN_VM}=1 RUST_BACKTRACE=1 {exe} --exact {name} --nocapture --test-threads 1\n\
             echo {RESULT_MARK} $?\n\
             poweroff -f\n",
            exe = exe.display(),
        );
        archive.file("init", init.as_bytes(), 0o755);
        let tmp = TempFile::new("initramfs")?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(tmp.path())?);
        std::io::Write::write_all(&mut out, &std::fs::read(&base)?)?;
        archive.finish(&mut out)?;
        std::io::Write::flush(&mut out)?;
        Ok(tmp)
    }
}

/// How the kernel runs here: `WASI_HAL_VM_ACCEL` (`kvm` or `tcg`) when set; else what
/// `cargo xtask setup` found when it booted the kernel once under KVM (the file `accel` in the
/// kernel folder: on some machines `/dev/kvm` opens but a nested guest never gets past early
/// boot); else KVM when `/dev/kvm` opens. Where that gives TCG, the tests run under TCG only
/// when `WASI_HAL_VM_TCG=1`, or when setup found KVM broken (then TCG is what there is):
/// otherwise `None`.
pub fn accel() -> Option<Accel> {
    let parse = |s: &str| match s.trim() {
        "kvm" => Some(Accel::Kvm),
        "tcg" => Some(Accel::Tcg),
        _ => None,
    };
    if let Some(a) = std::env::var("WASI_HAL_VM_ACCEL")
        .ok()
        .as_deref()
        .and_then(parse)
    {
        return Some(a);
    }
    if let Some(a) = kernel_dir()
        .ok()
        .and_then(|d| std::fs::read_to_string(d.join("accel")).ok())
        .as_deref()
        .and_then(parse)
    {
        return Some(a);
    }
    let kvm = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok();
    if kvm {
        Some(Accel::Kvm)
    } else if std::env::var_os(ALLOW_TCG).is_some_and(|v| v == "1") {
        Some(Accel::Tcg)
    } else {
        None
    }
}

/// The folder `cargo xtask setup` put the kernel and modules in.
pub fn kernel_dir() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("WASI_HAL_VM_KERNEL_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let current = cache_dir().join("vm").join("current");
            let text = std::fs::read_to_string(&current).map_err(|e| {
                format!(
                    "the VM kernel is not set up ({}: {e}): run `cargo xtask setup`",
                    current.display()
                )
            })?;
            PathBuf::from(text.trim())
        }
    };
    let kernel = dir.join("vmlinuz");
    if !kernel.exists() {
        return Err(format!(
            "the VM kernel is not set up ({} is missing): run `cargo xtask setup`",
            kernel.display()
        ));
    }
    Ok(dir)
}

/// `$WASI_HAL_CACHE`, default `~/.cache/wasi-hal` (as xtask's).
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WASI_HAL_CACHE") {
        return PathBuf::from(dir);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"))
        .join("wasi-hal")
}

/// The part of the initramfs every test shares: busybox, the kernel modules and the shared
/// libraries `exe` links, cached by a hash of their content.
fn base_part(kernel: &Path, exe: &Path) -> std::io::Result<PathBuf> {
    let mut archive = cpio::Archive::new();
    for dir in ["bin", "proc", "sys", "dev", "tmp", "lib", "lib64"] {
        archive.dir(dir);
    }
    archive.file_from_disk(Path::new("/bin/busybox"), Path::new("/bin/busybox"), 0o755)?;
    let modules = kernel.join("modules");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&modules)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ko"))
        .collect();
    names.sort();
    for m in &names {
        let inside = Path::new(MODULE_DIR).join(m.file_name().unwrap_or_default());
        archive.file_from_disk(m, &inside, 0o644)?;
    }
    for lib in shared_libraries(exe)? {
        // The loader finds libraries at the paths ldd names; keep them there.
        let real = std::fs::canonicalize(&lib)?;
        archive.file_from_disk(&real, &lib, 0o755)?;
    }
    let bytes = archive.into_bytes_without_trailer();
    let key = cpio::content_key(&bytes);
    let dir = cache_dir().join("vm").join("initramfs");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("base-{key:016x}.cpio"));
    if !path.exists() {
        // Written whole under a temporary name, then renamed: tests in parallel never read half
        // a file.
        let tmp = dir.join(format!(".base-{key:016x}.{}", std::process::id()));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(path)
}

/// The shared libraries `exe` loads, as `ldd` lists them.
fn shared_libraries(exe: &Path) -> std::io::Result<Vec<PathBuf>> {
    let out = Command::new("ldd").arg(exe).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut libs = BTreeSet::new();
    for line in text.lines() {
        let path = match line.split_once("=>") {
            Some((_, right)) => right.split_whitespace().next(),
            None => line.split_whitespace().next(),
        };
        if let Some(p) = path.filter(|p| p.starts_with('/')) {
            libs.insert(PathBuf::from(p));
        }
    }
    Ok(libs.into_iter().collect())
}

/// Boots the kernel with `initramfs` and returns the serial console's output once the VM has
/// powered off; an error (with the output so far) when it does not within `timeout`.
fn boot(
    kernel: &Path,
    initramfs: &Path,
    accel: Accel,
    memory_mib: u32,
    timeout: Duration,
) -> Result<String, String> {
    let mut cmd = Command::new("qemu-system-x86_64");
    cmd.args(["-nodefaults", "-no-user-config", "-nographic", "-no-reboot"])
        .args(["-m", &memory_mib.to_string(), "-smp", "1"])
        .args(["-serial", "stdio", "-monitor", "none"])
        .arg("-kernel")
        .arg(kernel.join("vmlinuz"))
        .arg("-initrd")
        .arg(initramfs)
        .args([
            "-append",
            "console=ttyS0 quiet loglevel=4 panic=-1 rdinit=/init",
        ]);
    match accel {
        Accel::Kvm => cmd.args(["-enable-kvm", "-cpu", "host"]),
        Accel::Tcg => cmd.args(["-accel", "tcg", "-cpu", "max"]),
    };
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start qemu-system-x86_64 (run `cargo xtask setup`): {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line)
                .trim_end_matches('\r')
                .to_string();
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let mut console = String::new();
    let mut timed_out = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(Duration::from_millis(200))) {
            Ok(line) => {
                console.push_str(&line);
                console.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if Instant::now() >= deadline {
                    timed_out = true;
                    break;
                }
            }
        }
    }
    if timed_out {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| format!("waiting for qemu: {e}"))?;
    let _ = reader.join();
    let errors = err_reader.join().unwrap_or_default();
    if timed_out {
        return Err(format!(
            "did not finish within {:.0} s and was killed; console so far:\n{}",
            timeout.as_secs_f64(),
            quoted(&console)
        ));
    }
    if !status.success() {
        return Err(format!(
            "qemu-system-x86_64 failed ({status}): {errors}\nconsole:\n{}",
            quoted(&console)
        ));
    }
    Ok(console)
}

/// How many VMs of one test binary run at once: the tests run in parallel threads, and more
/// than two single-CPU VMs only share the same cores.
const MAX_VMS: usize = 2;

/// A place among the [`MAX_VMS`]; given back when dropped.
struct VmSlot;

static RUNNING: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
static FREED: std::sync::Condvar = std::sync::Condvar::new();

impl VmSlot {
    fn take() -> VmSlot {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= MAX_VMS {
            running = FREED.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        VmSlot
    }
}

impl Drop for VmSlot {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        *running -= 1;
        FREED.notify_one();
    }
}

/// A file under the system's temporary folder, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(what: &str) -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "wasi-hal-vm-{what}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The VM's console for a failure message, each line marked `vm| `: the in-VM test run's own
/// `test result:` lines must not read as this test binary's.
fn quoted(console: &str) -> String {
    console.lines().map(|l| format!("vm| {l}\n")).collect()
}

/// Inside the VM: loads the module `name` (from [`MODULE_DIR`]) with `params`.
pub fn insmod(name: &str, params: &[&str]) {
    let path = Path::new(MODULE_DIR).join(format!("{name}.ko"));
    let status = Command::new("insmod")
        .arg(&path)
        .args(params)
        .status()
        .unwrap_or_else(|e| panic!("cannot run insmod {}: {e}", path.display()));
    assert!(status.success(), "insmod {} failed", path.display());
}
