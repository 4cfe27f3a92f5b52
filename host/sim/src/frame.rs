//! What a person would see on a display: an RGB image, row-major.

/// The visible image of a simulated display at one moment, after everything the controller does
/// to its RAM on the way to the glass (remap, offset, inverse, on/off, brightness).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels as `[r, g, b]` bytes, row-major, `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

impl Frame {
    /// A black frame.
    pub fn black(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            rgb: vec![0; width as usize * height as usize * 3],
        }
    }

    /// The pixel at (`x`, `y`), or `None` outside the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Some([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    /// Sets the pixel at (`x`, `y`); outside the frame nothing happens.
    pub fn set_pixel(&mut self, x: u32, y: u32, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = (y as usize * self.width as usize + x as usize) * 3;
            self.rgb[i..i + 3].copy_from_slice(&rgb);
        }
    }
}
