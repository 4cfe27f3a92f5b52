//! `pacman`: the component's entry point (see the library for the game).

display_graphics::app_main!(pacman, "pacman", "a display driver");
