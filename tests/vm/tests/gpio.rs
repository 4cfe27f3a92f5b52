//! `wasi:gpio` against the kernel's GPIO character device: gpio-sim chips with a Raspberry Pi
//! header's line names, driven by the guest `GPIO_PINS` through the board's Linux backend
//! (gpiocdev), and checked through gpio-sim's sysfs. Each test boots its own VM (see the crate
//! docs); inside it the same function runs its `in_vm` half.

use test_programs_artifacts::GPIO_PINS;
use wasi_hal_board::{Board, BoardFile};
use wasi_hal_vm_tests::gpio_sim::{SimChip, pi_header_names};
use wasi_hal_vm_tests::guest::Guest;
use wasi_hal_vm_tests::{Vm, in_vm};

/// A Linux board with one named line per `(name, line, modes, initial, safe)` on `chip`.
fn board(chip: &SimChip, lines: &[(&str, u32, &str, &str, &str)]) -> Board {
    let mut text = String::from("[board]\nname = \"vm\"\nbackend = \"linux\"\n");
    for (name, line, modes, initial, safe) in lines {
        text.push_str(&format!(
            "\n[gpio.{name}]\nchip = \"{}\"\nline = {line}\nmodes = {modes}\ninitial = \"{initial}\"\nsafe = \"{safe}\"\n",
            chip.linked().unwrap_or_else(|| chip.dev()).display()
        ));
    }
    let file = BoardFile::parse(&text, "vm.toml").unwrap_or_else(|e| panic!("{e}"));
    Board::build(file).unwrap_or_else(|e| panic!("{e}"))
}

fn open_output(guest: &mut Guest, name: &str, high: bool) -> Result<(), String> {
    guest
        .call::<(&str, bool), (Result<(), String>,)>("open-output", (name, high))
        .0
}

fn set(guest: &mut Guest, high: bool) -> Result<(), String> {
    guest
        .call::<(bool,), (Result<(), String>,)>("set", (high,))
        .0
}

fn wait(guest: &mut Guest, edge: u8, timeout_ms: u64) -> bool {
    guest
        .call::<(u8, u64), (Result<bool, String>,)>("wait", (edge, timeout_ms * 1_000_000))
        .0
        .expect("wait-for-edge")
}

const RISING: u8 = 0;
const FALLING: u8 = 1;
const BOTH: u8 = 2;

#[test]
fn discovery_offers_every_line_of_the_real_chip() {
    if !in_vm() {
        Vm::new()
            .file(GPIO_PINS)
            .run("discovery_offers_every_line_of_the_real_chip");
        return;
    }
    let chip = SimChip::create("header", &pi_header_names());
    let chip_name = chip.chip_name();
    let text = "[board]\nname = \"vm\"\nbackend = \"linux\"\n\n[discovery]\nenabled = true\ndev = \"/dev\"\n\n[discovery.gpio]\nmodes = [\"input\", \"output\"]\n";
    let board =
        Board::build(BoardFile::parse(text, "vm.toml").unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let mut guest = Guest::new(&board, GPIO_PINS);
    let (pins,) = guest.call::<(), (Vec<(String, bool, bool)>,)>("pins", ());
    let mut names: Vec<String> = pins.iter().map(|p| p.0.clone()).collect();
    names.sort();
    let mut expected: Vec<String> = (0..28).map(|l| format!("{chip_name}-{l}")).collect();
    expected.sort();
    assert_eq!(names, expected, "the discovered pins");
    assert!(
        pins.iter().all(|p| p.1 && p.2),
        "every line in both modes: {pins:?}"
    );
    // A discovered line is a real line: the guest drives it and gpio-sim sees it.
    assert_eq!(
        open_output(&mut guest, &format!("{chip_name}-17"), true),
        Ok(())
    );
    assert!(
        chip.value(17),
        "GPIO17 driven high through the discovered name"
    );
}

#[test]
fn an_output_set_by_a_guest_reads_back_through_sysfs() {
    if !in_vm() {
        Vm::new()
            .file(GPIO_PINS)
            .run("an_output_set_by_a_guest_reads_back_through_sysfs");
        return;
    }
    let chip = SimChip::create("header", &pi_header_names());
    let board = board(&chip, &[("led", 17, "[\"output\"]", "low", "low")]);
    assert!(!chip.value(17), "requested at its initial level, low");
    let mut guest = Guest::new(&board, GPIO_PINS);
    assert_eq!(open_output(&mut guest, "led", true), Ok(()));
    assert!(chip.value(17), "open-output high");
    for high in [false, true, false] {
        assert_eq!(set(&mut guest, high), Ok(()));
        assert_eq!(chip.value(17), high, "set-level {high}");
    }
    // Other lines are untouched.
    assert!(!chip.value(18));
}

#[test]
fn input_edges_pulled_through_sysfs_arrive_in_order() {
    if !in_vm() {
        Vm::new()
            .file(GPIO_PINS)
            .run("input_edges_pulled_through_sysfs_arrive_in_order");
        return;
    }
    let chip = SimChip::create("header", &pi_header_names());
    let board = board(&chip, &[("button", 4, "[\"input\"]", "low", "low")]);
    let mut guest = Guest::new(&board, GPIO_PINS);
    assert_eq!(
        guest
            .call::<(&str,), (Result<(), String>,)>("open-input", ("button",))
            .0,
        Ok(())
    );
    assert!(
        !wait(&mut guest, BOTH, 50),
        "no edge before the pull changes"
    );
    // Up, then down and up while the guest is not waiting: the kernel queues the edges with
    // their times, and the guest must see them in that order. gpio-sim raises its interrupt
    // from deferred work that reads the line's level when it runs; pulls are kept apart, and
    // settle before the guest reads, as edges on a wire are.
    let apart = std::time::Duration::from_millis(300);
    chip.pull(4, true);
    std::thread::sleep(apart);
    assert!(wait(&mut guest, RISING, 2000), "the first edge, rising");
    assert_eq!(
        guest.call::<(), (Result<bool, String>,)>("read", ()).0,
        Ok(true)
    );
    chip.pull(4, false);
    std::thread::sleep(apart);
    chip.pull(4, true);
    std::thread::sleep(apart);
    assert!(wait(&mut guest, FALLING, 2000), "the second edge, falling");
    assert!(wait(&mut guest, RISING, 2000), "the third edge, rising");
    assert!(!wait(&mut guest, BOTH, 100), "no fourth edge");
}

#[test]
fn a_trap_leaves_outputs_at_their_safe_levels() {
    if !in_vm() {
        Vm::new()
            .file(GPIO_PINS)
            .run("a_trap_leaves_outputs_at_their_safe_levels");
        return;
    }
    let chip = SimChip::create("header", &pi_header_names());
    // Pulled up: a line the host let go would read high, so low can only be the host driving
    // the safe level.
    chip.pull(22, true);
    let board = board(&chip, &[("relay", 22, "[\"output\"]", "low", "low")]);
    assert!(!chip.value(22), "driven to its initial level");
    let mut guest = Guest::new(&board, GPIO_PINS);
    let trapped = guest.try_call::<(&str,), ()>("drive-and-trap", ("relay",));
    assert!(trapped.is_err(), "drive-and-trap traps");
    assert!(
        chip.value(22),
        "the guest drove the line high before it trapped"
    );
    drop(guest);
    assert!(
        !chip.value(22),
        "back at its safe level, low, after the trap"
    );
    // The board still holds the line for the next guest.
    let mut next = Guest::new(&board, GPIO_PINS);
    assert_eq!(open_output(&mut next, "relay", true), Ok(()));
    assert!(chip.value(22));
}

#[test]
fn a_chip_removed_mid_run_is_an_error_and_reopens_when_back() {
    if !in_vm() {
        Vm::new()
            .file(GPIO_PINS)
            .run("a_chip_removed_mid_run_is_an_error_and_reopens_when_back");
        return;
    }
    // A chip that can come and go (a USB GPIO expander, a HAT's I2C expander) is named in the
    // board file by a stable link, as a udev rule would make one; the kernel numbers it anew
    // when it comes back (6.1 keeps the removed chip's number while a request was open on it).
    let stable = std::path::Path::new("/dev/gpio-header");
    let chip = SimChip::create("header", &pi_header_names());
    chip.link(stable);
    let board = board(&chip, &[("led", 17, "[\"output\"]", "low", "low")]);
    let mut guest = Guest::new(&board, GPIO_PINS);
    assert_eq!(open_output(&mut guest, "led", true), Ok(()));
    assert!(chip.value(17));

    let dev = chip.dev();
    chip.set_live(false);
    assert!(!dev.exists(), "{} is gone", dev.display());
    assert_eq!(
        set(&mut guest, false),
        Err("other".to_string()),
        "set-level on a removed chip"
    );
    assert_eq!(set(&mut guest, true), Err("other".to_string()), "and again");
    guest.call::<(), ()>("close-all", ());
    assert_eq!(
        open_output(&mut guest, "led", true),
        Err("other".to_string()),
        "open-output while the chip is gone"
    );

    chip.set_live(true);
    chip.link(stable);
    assert_eq!(
        open_output(&mut guest, "led", true),
        Ok(()),
        "reopen once it is back (as {})",
        chip.dev().display()
    );
    assert!(chip.value(17), "driven high on the chip that came back");
    assert_eq!(set(&mut guest, false), Ok(()));
    assert!(!chip.value(17));
}
