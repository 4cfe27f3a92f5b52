//! A guest of the world `display:pixels/driver`: a display that accepts everything.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    world: "display:pixels/driver",
    path: "../../../wit/display-pixels",
    generate_all,
});

use exports::display::pixels::display::{
    ColorFormat, Display, ErrorCode, Guest, GuestDisplay, Info, Rect,
};

struct Driver;

impl Guest for Driver {
    type Display = Driver;

    fn open() -> Result<Display, ErrorCode> {
        Ok(Display::new(Driver))
    }
}

impl GuestDisplay for Driver {
    fn get_info(&self) -> Info {
        Info {
            width: 8,
            height: 8,
            format: ColorFormat::Mono1,
        }
    }

    fn write_region(&self, _area: Rect, _pixels: alloc::vec::Vec<u8>) -> Result<(), ErrorCode> {
        Ok(())
    }

    fn fill_rect(&self, _area: Rect, _color: u32) -> Result<(), ErrorCode> {
        Ok(())
    }

    fn present(&self) -> Result<(), ErrorCode> {
        Ok(())
    }

    fn present_region(&self, _area: Rect, _pixels: alloc::vec::Vec<u8>) -> Result<(), ErrorCode> {
        Ok(())
    }

    fn set_power(&self, _on: bool) -> Result<(), ErrorCode> {
        Ok(())
    }

    fn set_brightness(&self, _level: u8) -> Result<(), ErrorCode> {
        Ok(())
    }
}

impl exports::display::pixels::word_pixels::Guest for Driver {
    fn present_region(
        _target: exports::display::pixels::display::DisplayBorrow<'_>,
        _area: Rect,
        _pixels: alloc::vec::Vec<u64>,
    ) -> Result<(), ErrorCode> {
        Ok(())
    }
}

export!(Driver);
