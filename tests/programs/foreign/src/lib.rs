//! Guests written against other projects' hardware WIT, never against ours: they reach a
//! wasi-hal host only through the adapter components of `adapters/` (tests/tests/adapters.rs).
//! No_std components: they link [`component_runtime`] through this crate.
#![no_std]

use component_runtime as _;

/// The picture `seed-oled` draws on a 128x32 panel: `true` where a pixel is lit. A filled block
/// in the top-left corner and a line to the right, so that a mirrored or flipped picture is
/// told apart from the right one.
pub fn seed_oled_pattern(x: u32, y: u32) -> bool {
    (x < 40 && y < 10) || (y < 32 && x == 4 * y)
}
