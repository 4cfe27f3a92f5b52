//! A `wasi:cli/run` command that calls the bare `run: func()` another component exports (the
//! seed project's apps, and this project's JavaScript app).
//!
//! ```text
//! wac plug run-command-adapter.wasm --plug app.wasm -o app-command.wasm
//! ```
//!
//! The app's `run` returns nothing, so the command exits 0 when it returns; a trap in the app
//! is a trap of the command.

#[cfg(target_arch = "wasm32")]
mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: "wit",
        world: "wasi-hal:run-command-adapter/adapter",
    });
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    bindings::run();
}
