//! `strip-rainbow`: the component's entry point (see the library for the colours).

use std::process::ExitCode;
use strip_rainbow::args::{Args, USAGE};

#[cfg(target_arch = "wasm32")]
mod component;

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("strip-rainbow: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    run(args)
}

#[cfg(target_arch = "wasm32")]
fn run(args: Args) -> ExitCode {
    component::run(args)
}

#[cfg(not(target_arch = "wasm32"))]
fn run(_args: Args) -> ExitCode {
    eprintln!(
        "strip-rainbow: this program is a wasm32-wasip2 component; run it composed with a strip driver"
    );
    ExitCode::FAILURE
}
