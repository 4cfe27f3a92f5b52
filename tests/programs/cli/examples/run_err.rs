//! Exports `wasi:cli/run` itself and returns `err`: the host must exit with 1.
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

struct Program;

impl wasip2::exports::cli::run::Guest for Program {
    fn run() -> Result<(), ()> {
        Err(())
    }
}

wasip2::cli::command::export!(Program);
