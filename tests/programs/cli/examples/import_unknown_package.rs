//! Imports `acme:teleport/beam@1.0.0`, an interface of a package that no one here defined: the
//! host must say it does not have that package at all (and not blame the board).
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

wit_bindgen::generate!({
    inline: "
        package test:import-unknown-package;
        world guest { import acme:teleport/beam@1.0.0; }
        package acme:teleport@1.0.0 { interface beam { beam: func(); } }
    ",
    generate_all,
});

fn main() {
    // Called only when asked, so that the import stays in the component.
    if std::env::args().any(|a| a == "--beam") {
        acme::teleport::beam::beam();
    }
}
