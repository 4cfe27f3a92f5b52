//! `strip-rainbow`: a rainbow that runs along an LED strip.
//!
//! The colours are plain Rust ([`Rainbow::colors`]), so the same frames come out on any strip
//! driver and in native unit tests; the component ([`main`](../strip_rainbow/index.html)) sends
//! them through `led:strip` and paces them with `wasi:delay`.

pub mod args;

/// The rainbow's state: which hue is at the first LED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rainbow {
    /// Hue (0-255 around the colour wheel) of the first LED.
    offset: u8,
    /// Hue steps the rainbow moves per frame.
    speed: u8,
}

impl Rainbow {
    /// A rainbow that moves `speed` hue steps per frame.
    pub fn new(speed: u8) -> Self {
        Self { offset: 0, speed }
    }

    /// The colours of a strip of `length` LEDs for this frame, red-green-blue-white each: one
    /// turn of the colour wheel spread over the strip.
    pub fn colors(&self, length: u32) -> Vec<[u8; 4]> {
        (0..length)
            .map(|i| {
                let step = (i * 256 / length.max(1)) as u8;
                wheel(self.offset.wrapping_add(step))
            })
            .collect()
    }

    /// Moves to the next frame.
    pub fn step(&mut self) {
        self.offset = self.offset.wrapping_add(self.speed);
    }
}

/// A fully saturated colour at `hue` (0-255) on the wheel red -> green -> blue -> red, at full
/// brightness, with the white channel off.
pub fn wheel(hue: u8) -> [u8; 4] {
    let h = u16::from(hue);
    let (sector, pos) = (h / 86, (h % 86) * 3);
    let up = pos.min(255) as u8;
    let down = 255 - up;
    match sector {
        0 => [down, up, 0, 0],
        1 => [0, down, up, 0],
        _ => [up, 0, down, 0],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wheel_goes_red_green_blue() {
        assert_eq!(wheel(0), [255, 0, 0, 0]);
        assert_eq!(wheel(43), [126, 129, 0, 0]);
        assert_eq!(wheel(86), [0, 255, 0, 0]);
        assert_eq!(wheel(172), [0, 0, 255, 0]);
        assert_eq!(wheel(255), [249, 0, 6, 0]);
    }

    #[test]
    fn the_strip_holds_one_turn_and_the_rainbow_moves() {
        let mut rainbow = Rainbow::new(4);
        let first = rainbow.colors(3);
        assert_eq!(first, [wheel(0), wheel(85), wheel(170)]);
        rainbow.step();
        assert_eq!(rainbow.colors(3)[0], wheel(4));
        // 64 frames at 4 steps a frame: once round the wheel.
        for _ in 1..64 {
            rainbow.step();
        }
        assert_eq!(rainbow.colors(3), first);
    }
}
