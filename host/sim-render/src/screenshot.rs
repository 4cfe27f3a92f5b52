//! Still images: one [`Frame`] to and from PNG.

use crate::atomic::write_atomically;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;
use wasi_hal_sim::Frame;

/// Checks that a frame is something an image file can hold: not empty, and with exactly
/// `width * height * 3` bytes of pixels.
pub(crate) fn check_frame(frame: &Frame) -> Result<()> {
    if frame.width == 0 || frame.height == 0 {
        bail!(
            "the frame is {}x{} pixels; an image needs at least one pixel",
            frame.width,
            frame.height
        );
    }
    let expected = (frame.width as usize)
        .checked_mul(frame.height as usize)
        .and_then(|n| n.checked_mul(3));
    if expected != Some(frame.rgb.len()) {
        bail!(
            "the frame says it is {}x{} pixels ({} bytes of RGB) but holds {} bytes",
            frame.width,
            frame.height,
            expected.map_or_else(|| "too many".to_owned(), |n| n.to_string()),
            frame.rgb.len()
        );
    }
    Ok(())
}

/// The PNG encoder settings every image from this crate uses: 8-bit RGB, no metadata, fixed
/// compression, so the same pixels always give the same bytes.
pub(crate) fn png_encoder<W: Write>(out: W, width: u32, height: u32) -> png::Encoder<'static, W> {
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    encoder
}

fn write_png(frame: &Frame, out: impl Write) -> Result<()> {
    check_frame(frame)?;
    let mut writer = png_encoder(out, frame.width, frame.height)
        .write_header()
        .context("writing the PNG header")?;
    writer
        .write_image_data(&frame.rgb)
        .context("writing the PNG image data")?;
    writer.finish().context("finishing the PNG")?;
    Ok(())
}

/// Encodes a frame as an 8-bit RGB PNG with no metadata.
///
/// The same frame always gives the same bytes (for a given version of the `png` crate, which the
/// lock file pins), so golden files can be compared byte for byte. Errors if the frame has no
/// pixels or its `rgb` length does not match its size.
pub fn encode_png(frame: &Frame) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_png(frame, &mut out).context("cannot encode the frame as PNG")?;
    Ok(out)
}

/// Decodes a PNG into a frame.
///
/// Any PNG colour type and bit depth is accepted: grey becomes equal RGB, 16-bit samples are
/// reduced to 8 bits, and alpha is dropped (the pixel's colour is kept as stored). For an
/// animated PNG this is the default image, which for files from this crate is the first frame.
pub fn decode_png(bytes: &[u8]) -> Result<Frame> {
    let image = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .context("cannot decode PNG")?
        .into_rgb8();
    Ok(Frame {
        width: image.width(),
        height: image.height(),
        rgb: image.into_raw(),
    })
}

/// Reads and decodes a PNG file; errors name the file.
pub fn load_png(path: &Path) -> Result<Frame> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read PNG {}", path.display()))?;
    decode_png(&bytes).with_context(|| format!("cannot load PNG {}", path.display()))
}

/// Saves a frame as a PNG file (see [`encode_png`]).
///
/// The file is written to a temporary file in the same directory and renamed into place, so
/// `path` either gets the whole image or is left as it was. Errors name `path`.
pub fn save_png(frame: &Frame, path: &Path) -> Result<()> {
    // Encode first: a bad frame must not even create a temporary file.
    let bytes =
        encode_png(frame).with_context(|| format!("cannot save PNG to {}", path.display()))?;
    write_atomically(path, "PNG", |out| Ok(out.write_all(&bytes)?))
}

/// Saves a frame as a PNG file with every pixel drawn as a `scale` x `scale` square
/// (nearest neighbour, so edges stay sharp). `scale` 1 is the same as [`save_png`].
///
/// Errors if `scale` is 0 or the scaled image would be too large, and as [`save_png`] does.
pub fn save_png_scaled(frame: &Frame, scale: u32, path: &Path) -> Result<()> {
    let scaled = scale_nearest(frame, scale)
        .with_context(|| format!("cannot save PNG to {}", path.display()))?;
    save_png(&scaled, path)
}

/// The largest number of bytes of pixels [`scale_nearest`] will produce (256 MiB).
pub const MAX_SCALED_BYTES: usize = 256 << 20;

/// Enlarges a frame by an integer factor, drawing every pixel as a `scale` x `scale` square.
///
/// Errors if `scale` is 0, if the frame is malformed (see [`encode_png`]), or if the result would
/// be wider or taller than `u32::MAX` pixels or hold more than [`MAX_SCALED_BYTES`].
pub fn scale_nearest(frame: &Frame, scale: u32) -> Result<Frame> {
    check_frame(frame)?;
    if scale == 0 {
        bail!("the scale factor is 0; it must be at least 1");
    }
    let too_large = || {
        anyhow::anyhow!(
            "a {}x{} frame scaled by {scale} is too large (more than {MAX_SCALED_BYTES} bytes)",
            frame.width,
            frame.height
        )
    };
    let width = frame.width.checked_mul(scale).ok_or_else(too_large)?;
    let height = frame.height.checked_mul(scale).ok_or_else(too_large)?;
    let row_bytes = (width as usize).checked_mul(3).ok_or_else(too_large)?;
    let total = row_bytes
        .checked_mul(height as usize)
        .filter(|&n| n <= MAX_SCALED_BYTES)
        .ok_or_else(too_large)?;

    let mut rgb = Vec::with_capacity(total);
    for src_row in frame.rgb.chunks_exact(frame.width as usize * 3) {
        let start = rgb.len();
        for pixel in src_row.chunks_exact(3) {
            for _ in 0..scale {
                rgb.extend_from_slice(pixel);
            }
        }
        for _ in 1..scale {
            rgb.extend_from_within(start..start + row_bytes);
        }
    }
    Ok(Frame { width, height, rgb })
}
