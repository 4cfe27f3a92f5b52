//! A `wasi:cli/run` command that calls the bare `run: func()` a seed-project app exports.
//!
//! ```text
//! wac plug seed-run-adapter.wasm --plug app.wasm -o app-command.wasm
//! ```
//!
//! The app's `run` returns nothing, so the command exits 0 when it returns; a trap in the app
//! is a trap of the command.

#[cfg(target_arch = "wasm32")]
mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: "wit",
        world: "wasi-hal:seed-run-adapter/adapter",
    });
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    bindings::run();
}
