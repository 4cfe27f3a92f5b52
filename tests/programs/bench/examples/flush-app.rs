//! An app that presents whole frames: on each call of `frames` it alternates between a pattern
//! and its inverse, so every byte of the display's memory changes and every presentation is a
//! full-frame flush. Composed with a display driver, it measures app -> driver -> host -> panel.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

wit_bindgen::generate!({
    inline: "
        package test:bench-flush-app;
        world guest {
            include display:pixels/word-app@0.1.1;
            /// Opens the display (once) and presents `n` full frames.
            export frames: func(n: u32) -> result<_, string>;
        }",
    path: "../../../wit/display-pixels",
    generate_all,
});

use display::pixels::display::{Display, Rect, open};
use display::pixels::word_pixels;

/// The open display, its whole area and the two frames it alternates between.
struct State {
    display: Display,
    area: Rect,
    frames: [Vec<u64>; 2],
    next: usize,
}

struct Cell(RefCell<Option<State>>);
// SAFETY: a component instance runs on one thread at a time.
unsafe impl Sync for Cell {}
static STATE: Cell = Cell(RefCell::new(None));

/// `mono1` pixels of a `width` x `height` area, lit where `lit(x, y)`.
fn mono1(width: u32, height: u32, lit: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let stride = width.div_ceil(8) as usize;
    let mut out = alloc::vec![0u8; stride * height as usize];
    for y in 0..height {
        for x in 0..width {
            if lit(x, y) {
                out[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    out
}

/// `bytes` in 64-bit words, as `word-pixels.present-region` takes them.
fn words(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks(8)
        .map(|chunk| {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(word)
        })
        .collect()
}

fn state() -> Result<State, String> {
    let display = open().map_err(|e| alloc::format!("open: {e:?}"))?;
    let info = display.get_info();
    let area = Rect {
        x: 0,
        y: 0,
        width: info.width,
        height: info.height,
    };
    // Every page byte of every column has a lit and a dark pixel in both patterns, so going
    // from one to the other changes every byte of the controller's memory.
    let pattern = |x: u32, y: u32| (x + y).is_multiple_of(3);
    let frames = [
        words(&mono1(info.width, info.height, pattern)),
        words(&mono1(info.width, info.height, |x, y| !pattern(x, y))),
    ];
    Ok(State {
        display,
        area,
        frames,
        next: 0,
    })
}

struct Program;

impl Guest for Program {
    fn frames(n: u32) -> Result<(), String> {
        let mut cell = STATE.0.borrow_mut();
        if cell.is_none() {
            *cell = Some(state()?);
        }
        let Some(state) = cell.as_mut() else {
            return Err("no display".into());
        };
        for _ in 0..n {
            word_pixels::present_region(&state.display, state.area, &state.frames[state.next])
                .map_err(|e| alloc::format!("present-region: {e:?}"))?;
            state.next ^= 1;
        }
        Ok(())
    }
}

export!(Program);
