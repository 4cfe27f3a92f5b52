//! `doorbell`: the component's entry point (see the library for the tune).

display_graphics::app_main!(doorbell, "doorbell", "a buzzer driver");
