//! The kernel the VM tests boot (tests/vm, docs/kernel-tests.md): Debian's packaged kernel, the
//! few of its modules the tests load, and `gpio-sim` built out of tree (Debian's kernel does not
//! build it) from Debian's kernel source against the matching headers.
//!
//! Everything lands in `<cache>/vm/<kernel release>/` and is made once per kernel release:
//!
//! - `vmlinuz` and `modules/{configfs,i2c-dev,i2c-stub}.ko`, taken out of the
//!   `linux-image-<release>` package (downloaded with `apt-get download`, never installed: the
//!   machine's own boot set-up is left alone);
//! - `modules/gpio-sim.ko`, built from `drivers/gpio/gpio-sim.c` and `kernel/irq/irq_sim.c` of
//!   `linux-source-<major.minor>` (only those files are extracted), with a stamp naming the
//!   recipe it was built with, so a change of recipe builds it again.
//!
//! - `modules/spi-loopback.ko`, this project's loopback SPI controller
//!   (`tests/vm/kmod/spi-loopback.c`) built against the same headers, kept with a copy of the
//!   source it was built from.
//!
//! `<cache>/vm/current` names the folder; the tests read it (or `WASI_HAL_VM_KERNEL_DIR`).

use crate::setup::{cache_dir, ensure_deb};
use crate::workspace;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Debian packages the VM tests need on the machine that runs them.
pub const DEBIAN_PACKAGES: &[&str] = &[
    // The emulator the tests boot the kernel in (KVM when /dev/kvm works, TCG otherwise).
    "qemu-system-x86",
    // The initramfs's shell and tools.
    "busybox-static",
    // The headers of Debian's current kernel, to build gpio-sim against; its dependency names
    // the kernel release.
    "linux-headers-amd64",
    "make",
];

/// The modules of Debian's kernel the tests load, by their path under `kernel/`.
const IMAGE_MODULES: &[&str] = &[
    "fs/configfs/configfs.ko",
    "drivers/i2c/i2c-dev.ko",
    "drivers/i2c/i2c-stub.ko",
];

/// The kernel sources gpio-sim is built from, by their path in the source tree.
const GPIO_SIM_SOURCES: &[&str] = &[
    "drivers/gpio/gpio-sim.c",
    "drivers/gpio/gpiolib.h",
    "kernel/irq/irq_sim.c",
];

/// kbuild's makefile for the out-of-tree module: gpio-sim with the interrupt simulator it
/// selects in-tree (`CONFIG_IRQ_SIM`, also not built in Debian's kernel) linked into one module.
const GPIO_SIM_KBUILD: &str = "obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-core.o irq_sim.o\n";

/// The one change the sources need out of tree: `irq_to_desc` is not exported to modules, so
/// the simulated interrupt is raised with the exported `generic_handle_irq`, which looks the
/// descriptor up and calls the same flow handler (`handle_simple_irq`, set when it was mapped).
const IRQ_SIM_PATCH: (&str, &str) = (
    "handle_simple_irq(irq_to_desc(irqnum));",
    "generic_handle_irq(irqnum);",
);

/// Names the recipe above: a change to it builds the module again.
fn gpio_sim_recipe() -> String {
    format!(
        "gpio-sim recipe 1\n{GPIO_SIM_KBUILD}{}\n{}\n",
        IRQ_SIM_PATCH.0, IRQ_SIM_PATCH.1
    )
}

/// The kernel release of Debian's current kernel (`6.1.0-57-amd64`), from what the installed
/// `linux-headers-amd64` depends on.
pub fn kernel_release() -> Result<String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Depends}", "linux-headers-amd64"])
        .output()
        .context("failed to run dpkg-query")?;
    let depends = String::from_utf8_lossy(&out.stdout);
    depends
        .split([',', ' '])
        .find_map(|p| p.strip_prefix("linux-headers-"))
        .map(str::to_string)
        .with_context(|| {
            format!(
                "cannot tell the kernel release from linux-headers-amd64's dependencies {depends:?}"
            )
        })
}

/// Makes sure the kernel, its modules and gpio-sim are in the cache; returns their folder and
/// sets `WASI_HAL_VM_KERNEL_DIR` for the tests this process runs.
pub fn ensure() -> Result<PathBuf> {
    for package in DEBIAN_PACKAGES {
        ensure_deb(package)?;
    }
    let release = kernel_release()?;
    let dir = cache_dir().join("vm").join(&release);
    ensure_image(&release, &dir)?;
    ensure_gpio_sim(&release, &dir)?;
    ensure_spi_loopback(&release, &dir)?;
    ensure_accel_probe(&release, &dir)?;
    let current = cache_dir().join("vm").join("current");
    std::fs::write(&current, dir.to_string_lossy().as_bytes())
        .with_context(|| format!("cannot write {}", current.display()))?;
    // SAFETY: xtask is single-threaded here; the variable is read by children.
    unsafe { std::env::set_var("WASI_HAL_VM_KERNEL_DIR", &dir) };
    Ok(dir)
}

fn ensure_image(release: &str, dir: &Path) -> Result<()> {
    let modules = dir.join("modules");
    let wanted: Vec<PathBuf> = std::iter::once(dir.join("vmlinuz"))
        .chain(IMAGE_MODULES.iter().map(|m| modules.join(file_name(m))))
        .collect();
    if wanted.iter().all(|p| p.exists()) {
        eprintln!("==> kernel {release} for the VM tests: present");
        return Ok(());
    }
    workspace::step(
        &format!("taking kernel {release} and its modules out of linux-image-{release}"),
        || {
            let download = scratch(dir, "image")?;
            let deb = apt_download(&format!("linux-image-{release}"), &download)?;
            let mut members = vec![format!("./boot/vmlinuz-{release}")];
            members.extend(
                IMAGE_MODULES
                    .iter()
                    .map(|m| format!("./lib/modules/{release}/kernel/{m}")),
            );
            extract_deb(&deb, &download, &members)?;
            std::fs::create_dir_all(&modules)?;
            copy(
                &download.join(format!("boot/vmlinuz-{release}")),
                &dir.join("vmlinuz"),
            )?;
            for m in IMAGE_MODULES {
                copy(
                    &download.join(format!("lib/modules/{release}/kernel/{m}")),
                    &modules.join(file_name(m)),
                )?;
            }
            remove(&download)
        },
    )
}

fn ensure_gpio_sim(release: &str, dir: &Path) -> Result<()> {
    let ko = dir.join("modules").join("gpio-sim.ko");
    let stamp = dir.join("gpio-sim.recipe");
    let recipe = gpio_sim_recipe();
    if ko.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == recipe) {
        eprintln!("==> gpio-sim module for kernel {release}: present");
        return Ok(());
    }
    let headers = PathBuf::from(format!("/usr/src/linux-headers-{release}"));
    if !headers.exists() {
        bail!(
            "{} is missing: linux-headers-{release} should have been installed with \
             linux-headers-amd64",
            headers.display()
        );
    }
    // `6.1.0-57-amd64` → `linux-source-6.1`.
    let series: String = release.split('.').take(2).collect::<Vec<_>>().join(".");
    let series = series.split('-').next().unwrap_or(&series).to_string();
    workspace::step(
        &format!("building gpio-sim for kernel {release} out of tree (linux-source-{series})"),
        || {
            let build = scratch(dir, "gpio-sim-build")?;
            let deb = apt_download(&format!("linux-source-{series}"), &build)?;
            let top = format!("linux-source-{series}");
            let members: Vec<String> = GPIO_SIM_SOURCES
                .iter()
                .map(|f| format!("{top}/{f}"))
                .collect();
            // The package holds the tree as one .tar.xz: stream it out of the package and take
            // only the three files, so the ~1 GB tree is never unpacked.
            let status = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "dpkg-deb --fsys-tarfile \"$0\" | tar -xO ./usr/src/{top}.tar.xz | tar -xJ -C \"$1\" {}",
                    members.join(" ")
                ))
                .arg(&deb)
                .arg(&build)
                .status()
                .context("failed to run dpkg-deb | tar")?;
            if !status.success() {
                bail!(
                    "could not extract {} from {}",
                    members.join(", "),
                    deb.display()
                );
            }
            let src = build.join(&top);
            let module = build.join("module");
            std::fs::create_dir_all(&module)?;
            copy(
                &src.join("drivers/gpio/gpio-sim.c"),
                &module.join("gpio-sim-core.c"),
            )?;
            copy(
                &src.join("drivers/gpio/gpiolib.h"),
                &module.join("gpiolib.h"),
            )?;
            let irq_sim = std::fs::read_to_string(src.join("kernel/irq/irq_sim.c"))?;
            if !irq_sim.contains(IRQ_SIM_PATCH.0) {
                bail!(
                    "kernel/irq/irq_sim.c of {top} no longer contains `{}`: update the recipe in \
                     xtask/src/vm.rs",
                    IRQ_SIM_PATCH.0
                );
            }
            std::fs::write(
                module.join("irq_sim.c"),
                irq_sim.replace(IRQ_SIM_PATCH.0, IRQ_SIM_PATCH.1),
            )?;
            std::fs::write(module.join("Kbuild"), GPIO_SIM_KBUILD)?;
            workspace::run(
                Command::new("make")
                    .arg("-C")
                    .arg(&headers)
                    .arg(format!("M={}", module.display()))
                    .arg("modules"),
            )?;
            std::fs::create_dir_all(dir.join("modules"))?;
            copy(&module.join("gpio-sim.ko"), &ko)?;
            std::fs::write(&stamp, &recipe)?;
            remove(&build)
        },
    )
}

/// Builds `tests/vm/kmod/spi-loopback.c` against the kernel's headers unless the module in the
/// cache was built from the same source.
fn ensure_spi_loopback(release: &str, dir: &Path) -> Result<()> {
    let source = workspace::root().join("tests/vm/kmod/spi-loopback.c");
    let text =
        std::fs::read(&source).with_context(|| format!("cannot read {}", source.display()))?;
    let ko = dir.join("modules").join("spi-loopback.ko");
    let stamp = dir.join("spi-loopback.c");
    if ko.exists() && std::fs::read(&stamp).is_ok_and(|s| s == text) {
        eprintln!("==> spi-loopback module for kernel {release}: present");
        return Ok(());
    }
    workspace::step(
        &format!("building the spi-loopback module for kernel {release}"),
        || {
            let build = scratch(dir, "spi-loopback-build")?;
            std::fs::write(build.join("spi-loopback.c"), &text)?;
            std::fs::write(build.join("Kbuild"), "obj-m := spi-loopback.o\n")?;
            workspace::run(
                Command::new("make")
                    .arg("-C")
                    .arg(format!("/usr/src/linux-headers-{release}"))
                    .arg(format!("M={}", build.display()))
                    .arg("modules"),
            )?;
            std::fs::create_dir_all(dir.join("modules"))?;
            copy(&build.join("spi-loopback.ko"), &ko)?;
            std::fs::write(&stamp, &text)?;
            remove(&build)
        },
    )
}

/// How long the KVM probe may take: a working KVM boots the kernel to its "no root file
/// system" panic in a second or two.
const KVM_PROBE_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Boots the kernel once under KVM (without an initramfs: it stops at its panic for want of a
/// root file system, and `-no-reboot` ends QEMU) and writes `kvm` or `tcg` to `<dir>/accel`
/// for the tests. `/dev/kvm` can open and still not run this kernel: in a nested set-up (this
/// project's machines are themselves VMs) the guest may hang in early boot; then the tests use
/// TCG. Done once per machine and kernel; delete the file to probe again.
fn ensure_accel_probe(release: &str, dir: &Path) -> Result<()> {
    let file = dir.join("accel");
    if let Ok(found) = std::fs::read_to_string(&file) {
        eprintln!(
            "==> VM acceleration for kernel {release}: {} (from {})",
            found.trim(),
            file.display()
        );
        return Ok(());
    }
    let kvm_opens = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok();
    let accel = if !kvm_opens {
        eprintln!("==> /dev/kvm is not usable: the VM tests run under TCG");
        "tcg"
    } else {
        workspace::step("checking that KVM boots the kernel (at most 20 s)", || {
            let mut child = Command::new("qemu-system-x86_64")
                .args(["-nodefaults", "-no-user-config", "-nographic", "-no-reboot"])
                .args([
                    "-m", "256", "-smp", "1", "-serial", "stdio", "-monitor", "none",
                ])
                .args(["-enable-kvm", "-cpu", "host"])
                .arg("-kernel")
                .arg(dir.join("vmlinuz"))
                .args(["-append", "console=ttyS0 panic=-1"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .context("cannot start qemu-system-x86_64")?;
            let stdout = child.stdout.take().context("no stdout")?;
            let reader = std::thread::spawn(move || {
                let mut s = String::new();
                let _ = std::io::Read::read_to_string(&mut { stdout }, &mut s);
                s
            });
            let start = std::time::Instant::now();
            let exited = loop {
                if child.try_wait()?.is_some() {
                    break true;
                }
                if start.elapsed() > KVM_PROBE_LIMIT {
                    let _ = child.kill();
                    let _ = child.wait();
                    break false;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            };
            let console = reader.join().unwrap_or_default();
            let booted = exited && console.contains("Kernel panic");
            if booted {
                eprintln!("    KVM boots the kernel: the VM tests use KVM");
                Ok("kvm")
            } else {
                eprintln!(
                    "    KVM did not boot the kernel within {} s (nested virtualisation?): the \
                     VM tests run under TCG",
                    KVM_PROBE_LIMIT.as_secs()
                );
                Ok("tcg")
            }
        })?
    };
    std::fs::write(&file, accel).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(())
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A fresh scratch folder beside the cache entry.
fn scratch(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(format!("{name}.tmp"));
    remove(&path)?;
    std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(path)
}

fn remove(path: &Path) -> Result<()> {
    if path.exists() {
        std::fs::remove_dir_all(path)
            .with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// Downloads the package `name` (the candidate version) into `dir`; returns the .deb.
fn apt_download(name: &str, dir: &Path) -> Result<PathBuf> {
    let mut cmd = Command::new("apt-get");
    cmd.args(["download", "-q", name]).current_dir(dir);
    let out = cmd.output().context("failed to run apt-get download")?;
    if !out.status.success() {
        // The package lists may be missing on a fresh machine.
        workspace::run(Command::new("apt-get").arg("update"))?;
        workspace::run(
            Command::new("apt-get")
                .args(["download", "-q", name])
                .current_dir(dir),
        )?;
    }
    std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.extension().is_some_and(|e| e == "deb")
                && p.file_name()
                    .is_some_and(|f| f.to_string_lossy().starts_with(&format!("{name}_")))
        })
        .with_context(|| format!("apt-get download {name} left no .deb in {}", dir.display()))
}

/// Extracts `members` of the package `deb` into `dir` (without running its scripts).
fn extract_deb(deb: &Path, dir: &Path, members: &[String]) -> Result<()> {
    let mut dpkg = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdout(Stdio::piped())
        .spawn()
        .context("failed to run dpkg-deb")?;
    let stdout = dpkg.stdout.take().context("dpkg-deb has no stdout")?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir)
        .args(members)
        .stdin(stdout)
        .status()
        .context("failed to run tar")?;
    let dpkg = dpkg.wait()?;
    if !tar.success() || !dpkg.success() {
        bail!(
            "could not extract {} from {}",
            members.join(", "),
            deb.display()
        );
    }
    Ok(())
}
