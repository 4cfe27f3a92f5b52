//! `ball-screensaver`: the component's entry point (see the library for the simulation).

display_graphics::app_main!(ball_screensaver, "ball-screensaver", "a display driver");
