//! The component: the tune played through the `sound:buzzer` import.

use doorbell::args::Args;
use std::process::ExitCode;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        inline: "package wasi-hal:doorbell; world app { include sound:buzzer/app@0.1.0; }",
        path: ["../../wit/sound-buzzer"],
        generate_all,
    });
}

use bindings::sound::buzzer::buzzer::{self, Note};

/// Rings `--rings` times, then returns.
pub fn run(args: Args) -> ExitCode {
    let bell = match buzzer::open() {
        Ok(bell) => bell,
        Err(err) => {
            eprintln!("doorbell: cannot open the buzzer: {err:?}");
            return ExitCode::FAILURE;
        }
    };
    println!("doorbell: {} buzzer", bell.get_info().model);
    for steps in doorbell::tune(args.rings) {
        let notes: Vec<Note> = steps
            .iter()
            .map(|&(frequency_hz, duration_ms)| Note {
                frequency_hz,
                duration_ms,
            })
            .collect();
        if let Err(err) = bell.play_pattern(&notes) {
            eprintln!("doorbell: the buzzer failed: {err:?}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
