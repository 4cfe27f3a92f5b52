//! Imports `wasi:delay/delay@0.2.0`: this host has `wasi:delay/delay`, but at 0.1.x. The host must
//! say which version it has.
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

wit_bindgen::generate!({
    inline: "
        package test:import-other-version;
        world guest { import wasi:delay/delay@0.2.0; }
        package wasi:delay@0.2.0 { interface delay { delay-ns: func(ns: u64); } }
    ",
    generate_all,
});

fn main() {
    // Called only when asked, so that the import stays in the component.
    if std::env::args().any(|a| a == "--wait") {
        wasi::delay::delay::delay_ns(1);
    }
}
