//! Pacman that plays itself, as a `wasi:cli/run` component drawing on `display:pixels`.
//!
//! The game is plain Rust that also builds natively, so it is tested with `cargo test -p pacman`:
//! [`maze`] (the layouts and distances), [`game`] (pacman, ghosts with scatter/chase/frightened
//! behaviour, collisions, levels, the autopilot), [`render`] (embedded-graphics drawing on any
//! `BinaryColor` target) and [`args`]. The component's main loop (`src/component.rs`) opens the
//! display and the buttons and runs one frame every 1/30 s of `wasi:delay` time.

pub mod args;
pub mod game;
pub mod maze;
pub mod render;

#[cfg(test)]
mod tests;
