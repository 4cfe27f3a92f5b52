//! Imports `wasi:gpio/pwm@0.1.0`: the package `wasi:gpio` is this host's, but it has no `pwm`
//! interface. The host must say it has the package but not that interface, and list what the
//! package does offer.
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

wit_bindgen::generate!({
    inline: "
        package test:import-missing-interface;
        world guest { import wasi:gpio/pwm@0.1.0; }
        package wasi:gpio@0.1.0 { interface pwm { set-duty-cycle: func(permille: u32); } }
    ",
    generate_all,
});

fn main() {
    // Called only when asked, so that the import stays in the component.
    if std::env::args().any(|a| a == "--pwm") {
        wasi::gpio::pwm::set_duty_cycle(500);
    }
}
