//! A real guest (tests/programs/worlds/examples/commands-receiver.rs) through Wasmtime:
//! the commands it accepts, a command that reaches it (its count goes up), its refusals, and
//! the checks made before a command crosses into it.

use test_programs_artifacts::WORLDS_COMMANDS_RECEIVER;
use wasi_hal_commands::{CommandReceiver, CommandRefusal, ErrorCode, MAX_PAYLOAD_LEN};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

async fn receiver() -> (Store<()>, CommandReceiver) {
    let engine = Engine::new(&Config::new()).unwrap();
    let component = Component::from_file(&engine, WORLDS_COMMANDS_RECEIVER).unwrap();
    assert!(CommandReceiver::exported_by(&component));
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate_async(&mut store, &component)
        .await
        .unwrap();
    let receiver = CommandReceiver::new(&mut store, &instance).unwrap();
    (store, receiver)
}

#[tokio::test]
async fn a_command_reaches_the_component_and_its_reply_comes_back() {
    let (mut store, receiver) = receiver().await;
    let accepted = receiver.accepted(&mut store).await.unwrap();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].name, "beep");
    assert!(accepted[0].description.contains("hertz"));

    for (n, hz) in [(1, 440), (2, 880)] {
        let reply = receiver
            .handle(&mut store, "beep", &hz.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(reply, format!("beep {n} at {hz} Hz"));
    }
}

#[tokio::test]
async fn the_component_s_refusals_come_back_as_its_error_codes() {
    let (mut store, receiver) = receiver().await;
    let answer = |name: &'static str, payload: &'static str| (name, payload);
    for ((name, payload), code) in [
        (answer("reboot", ""), ErrorCode::UnknownCommand),
        (answer("beep", "loud"), ErrorCode::InvalidPayload),
        (answer("beep", "5"), ErrorCode::InvalidPayload),
    ] {
        let refusal = receiver
            .handle(&mut store, name, payload)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refusal, CommandRefusal::Component(code), "{name} {payload}");
    }
    // Refusals change nothing: the next beep is the first.
    let reply = receiver.handle(&mut store, "beep", "440").await.unwrap();
    assert_eq!(reply.unwrap(), "beep 1 at 440 Hz");
}

#[tokio::test]
async fn bad_names_and_large_payloads_never_reach_the_component() {
    let (mut store, receiver) = receiver().await;
    let refusal = receiver
        .handle(&mut store, "be/ep", "440")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal, CommandRefusal::BadName("be/ep".into()));
    let big = "4".repeat(MAX_PAYLOAD_LEN + 1);
    let refusal = receiver
        .handle(&mut store, "beep", &big)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        refusal,
        CommandRefusal::PayloadTooLarge(MAX_PAYLOAD_LEN + 1)
    );
    // Neither reached it: its first beep is still number 1.
    let reply = receiver.handle(&mut store, "beep", "440").await.unwrap();
    assert_eq!(reply.unwrap(), "beep 1 at 440 Hz");
}
