//! `doorbell`: the component's entry point (see the library for the tune).

use doorbell::args::{Args, USAGE};
use std::process::ExitCode;

#[cfg(target_arch = "wasm32")]
mod component;

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("doorbell: {message}\n\n{USAGE}");
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
        "doorbell: this program is a wasm32-wasip2 component; run it composed with a buzzer driver"
    );
    ExitCode::FAILURE
}
