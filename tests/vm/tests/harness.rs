//! The VM harness itself: a failing in-VM half fails the test with the VM's console, and a VM
//! that runs too long is killed with an error that says so.

use std::time::Duration;
use wasi_hal_vm_tests::{Vm, accel, in_vm};

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("the VM run should have failed");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn a_failing_in_vm_half_fails_with_the_console() {
    if in_vm() {
        panic!("deliberate failure inside the VM");
    }
    if accel().is_none() {
        eprintln!("skipped: no way to run a VM here (see Vm::run)");
        return;
    }
    let message = panic_message(|| {
        Vm::new().run("a_failing_in_vm_half_fails_with_the_console");
    });
    assert!(message.contains("failed (exit status 101)"), "{message}");
    assert!(
        message.contains("vm| ") && message.contains("deliberate failure inside the VM"),
        "the console is in the message: {message}"
    );
}

#[test]
fn a_vm_that_runs_too_long_is_killed() {
    if in_vm() {
        std::thread::sleep(Duration::from_secs(3600));
        return;
    }
    if accel().is_none() {
        eprintln!("skipped: no way to run a VM here (see Vm::run)");
        return;
    }
    let message = panic_message(|| {
        Vm::new()
            .timeout(Duration::from_secs(3))
            .run("a_vm_that_runs_too_long_is_killed");
    });
    assert!(message.contains("was killed"), "{message}");
}
