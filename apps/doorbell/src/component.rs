//! The component: the tune played through the `sound:buzzer` import, by `run` (`--rings N`)
//! or by the fleet's `ring` command (its `wasi-hal:commands/handler` export, payload: the
//! number of rings, 1 when empty), which `wasi-hal up` calls for a `kind = "handler"`
//! component (docs/fleet.md).

use doorbell::args::Args;
use std::process::ExitCode;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        inline: "package wasi-hal:doorbell; world app { include sound:buzzer/app@0.1.0; export wasi-hal:commands/handler@0.1.0; }",
        path: ["../../wit/sound-buzzer", "../../wit/wasi-hal-commands"],
        generate_all,
    });
}

use bindings::exports::wasi_hal::commands::handler::{CommandInfo, ErrorCode, Guest};
use bindings::sound::buzzer::buzzer::{self, Note};

/// Rings `--rings` times, then returns.
pub fn run(args: Args) -> ExitCode {
    match ring(args.rings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("doorbell: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the buzzer, plays `rings` rings and closes it again.
fn ring(rings: u32) -> Result<(), String> {
    let bell = buzzer::open().map_err(|err| format!("cannot open the buzzer: {err:?}"))?;
    println!("doorbell: {} buzzer", bell.get_info().model);
    for steps in doorbell::tune(rings) {
        let notes: Vec<Note> = steps
            .iter()
            .map(|&(frequency_hz, duration_ms)| Note {
                frequency_hz,
                duration_ms,
            })
            .collect();
        bell.play_pattern(&notes)
            .map_err(|err| format!("the buzzer failed: {err:?}"))?;
    }
    Ok(())
}

/// The fleet's commands: `ring`.
struct Commands;

impl Guest for Commands {
    fn accepted() -> Vec<CommandInfo> {
        vec![CommandInfo {
            name: "ring".to_string(),
            description: format!(
                "Rings the doorbell; payload: how many times (1 to {}, 1 when empty)",
                doorbell::MAX_COMMAND_RINGS
            ),
        }]
    }

    fn handle(name: String, payload: String) -> Result<String, ErrorCode> {
        if name != "ring" {
            return Err(ErrorCode::UnknownCommand);
        }
        let rings = doorbell::command_rings(&payload).map_err(|_| ErrorCode::InvalidPayload)?;
        ring(rings).map_err(|message| {
            eprintln!("doorbell: {message}");
            ErrorCode::Unavailable
        })?;
        Ok(format!(
            "rang {rings} time{}",
            if rings == 1 { "" } else { "s" }
        ))
    }
}

bindings::export!(Commands with_types_in bindings);
