//! `strip-rainbow`: the component's entry point (see the library for the colours).

display_graphics::app_main!(strip_rainbow, "strip-rainbow", "a strip driver");
