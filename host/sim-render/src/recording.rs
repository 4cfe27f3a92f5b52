//! A run of one display as an animation: frames with their simulated times, saved as animated GIF
//! or APNG.

use crate::atomic::write_atomically;
use crate::screenshot::{check_frame, png_encoder};
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use wasi_hal_sim::Frame;

/// Nanoseconds per GIF delay unit (a centisecond).
const NS_PER_CS: u64 = 10_000_000;
/// Nanoseconds per millisecond.
const NS_PER_MS: u64 = 1_000_000;

/// One distinct picture in a [`Recording`] and the simulated time it appeared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedFrame {
    /// Simulated time at which the display started showing this picture, in nanoseconds.
    pub time_ns: u64,
    /// The picture.
    pub frame: Frame,
}

/// What [`Recording::push`] did with a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// The frame differs from the last one and was added.
    Added,
    /// The frame is the same as the last one, so nothing was added: the last picture simply stays
    /// on screen longer.
    Unchanged,
    /// The frame came at the same simulated time as the last one and replaced it (a picture that
    /// was on screen for no time at all is never seen).
    Replaced,
    /// The recording already holds its maximum number of frames, so this frame and every frame
    /// after it are left out. The first time this happens the recording ends at this frame's
    /// time; see [`Recording::truncated_at_ns`].
    Dropped,
}

/// The frames of one display over a simulated run, ready to save as an animation.
///
/// Push a frame whenever the display may have changed (after every flush, or at a fixed
/// simulated interval); identical consecutive frames are stored once, so pushing often costs
/// nothing in the output. Each picture is shown from its own time until the next picture's time;
/// the last one until [`Recording::end_ns`].
///
/// # Memory
///
/// A recording keeps every distinct frame in memory, so it holds at most
/// [`Recording::DEFAULT_MAX_FRAMES`] frames unless made with [`Recording::with_max_frames`]
/// (a 128x64 display is 24 KiB a frame, so the default cap is about 47 MiB). When a new,
/// different frame arrives at a full recording it is not stored: [`Recording::push`] returns
/// [`Pushed::Dropped`], the recording stops there for good (every later push is dropped too,
/// and counted by [`Recording::dropped`]), and the last stored frame is shown until the time of
/// the first dropped one. The saved animation is then the first part of the run, exactly as it
/// happened, and [`Recording::truncated_at_ns`] says where it was cut.
#[derive(Clone, Debug)]
pub struct Recording {
    frames: Vec<RecordedFrame>,
    max_frames: usize,
    /// The latest time passed to `push` (or `end_at`) that was not dropped.
    latest_ns: u64,
    truncated_at_ns: Option<u64>,
    dropped: u64,
}

impl Default for Recording {
    fn default() -> Self {
        Self::new()
    }
}

impl Recording {
    /// The frame cap of [`Recording::new`].
    pub const DEFAULT_MAX_FRAMES: usize = 2000;

    /// How long the last picture is shown when nothing says how long the run went on after it
    /// appeared: one second.
    pub const FINAL_HOLD_NS: u64 = 1_000_000_000;

    /// An empty recording that holds up to [`Recording::DEFAULT_MAX_FRAMES`] frames.
    pub fn new() -> Self {
        Self::with_max_frames(Self::DEFAULT_MAX_FRAMES)
    }

    /// An empty recording that holds up to `max_frames` distinct frames (at least 1).
    pub fn with_max_frames(max_frames: usize) -> Self {
        Self {
            frames: Vec::new(),
            max_frames: max_frames.max(1),
            latest_ns: 0,
            truncated_at_ns: None,
            dropped: 0,
        }
    }

    /// Adds what the display showed at simulated time `time_ns`.
    ///
    /// Errors, leaving the recording as it was, if the frame is malformed (no pixels, or an `rgb`
    /// length that does not match its size), if its size differs from the frames already
    /// recorded, or if `time_ns` is earlier than the previous push.
    pub fn push(&mut self, time_ns: u64, frame: &Frame) -> Result<Pushed> {
        check_frame(frame).with_context(|| format!("cannot record the frame at {time_ns} ns"))?;
        if let Some(first) = self.frames.first()
            && (first.frame.width, first.frame.height) != (frame.width, frame.height)
        {
            bail!(
                "cannot record the frame at {time_ns} ns: it is {}x{} pixels but the recording \
                 is {}x{}",
                frame.width,
                frame.height,
                first.frame.width,
                first.frame.height
            );
        }
        if !self.frames.is_empty() && time_ns < self.latest_ns {
            bail!(
                "cannot record the frame at {time_ns} ns: it is earlier than the previous one at \
                 {} ns",
                self.latest_ns
            );
        }

        if self.truncated_at_ns.is_some() {
            self.dropped += 1;
            return Ok(Pushed::Dropped);
        }
        let Some(last) = self.frames.last_mut() else {
            self.frames.push(RecordedFrame {
                time_ns,
                frame: frame.clone(),
            });
            self.latest_ns = time_ns;
            return Ok(Pushed::Added);
        };
        if last.frame == *frame {
            self.latest_ns = time_ns;
            return Ok(Pushed::Unchanged);
        }
        if last.time_ns == time_ns {
            last.frame.clone_from(frame);
            // If the replacement brings back the picture before, the two are one stretch.
            let n = self.frames.len();
            if n >= 2 && self.frames[n - 2].frame == self.frames[n - 1].frame {
                self.frames.pop();
            }
            return Ok(Pushed::Replaced);
        }
        if self.frames.len() >= self.max_frames {
            self.truncated_at_ns = Some(time_ns);
            self.dropped += 1;
            return Ok(Pushed::Dropped);
        }
        self.frames.push(RecordedFrame {
            time_ns,
            frame: frame.clone(),
        });
        self.latest_ns = time_ns;
        Ok(Pushed::Added)
    }

    /// Says the run went on until `time_ns`, so the last picture is shown until then.
    ///
    /// Pushing an unchanged frame at `time_ns` does the same. Errors if `time_ns` is earlier than
    /// the latest push. Has no effect on a truncated recording, which ends where it was cut.
    pub fn end_at(&mut self, time_ns: u64) -> Result<()> {
        if !self.frames.is_empty() && time_ns < self.latest_ns {
            bail!(
                "cannot end the recording at {time_ns} ns: it is earlier than the latest frame \
                 at {} ns",
                self.latest_ns
            );
        }
        if self.truncated_at_ns.is_none() {
            self.latest_ns = time_ns;
        }
        Ok(())
    }

    /// The distinct frames, in time order.
    pub fn frames(&self) -> &[RecordedFrame] {
        &self.frames
    }

    /// How many distinct frames are stored.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame has been stored.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The frame cap (see the type's docs on memory).
    pub fn max_frames(&self) -> usize {
        self.max_frames
    }

    /// How many pushes were dropped because the recording was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The time of the first frame that did not fit, if the recording was cut short.
    pub fn truncated_at_ns(&self) -> Option<u64> {
        self.truncated_at_ns
    }

    /// When the last picture stops being shown: the time of the first dropped frame if the
    /// recording was cut short; otherwise the latest time given to [`Recording::push`] or
    /// [`Recording::end_at`], or [`Recording::FINAL_HOLD_NS`] after the last picture appeared if
    /// that is no later than it. `None` for an empty recording.
    pub fn end_ns(&self) -> Option<u64> {
        let last = self.frames.last()?.time_ns;
        let end = self.truncated_at_ns.unwrap_or(self.latest_ns);
        Some(if end > last {
            end
        } else {
            last.saturating_add(Self::FINAL_HOLD_NS)
        })
    }

    /// How long each frame is shown, in whole `unit_ns` units, at least 1 each.
    ///
    /// Frame boundaries are rounded to the nearest unit on the run's own timeline (not each
    /// duration on its own), so rounding errors do not add up over a long run.
    fn delays(&self, unit_ns: u64) -> Vec<u64> {
        let Some(first) = self.frames.first() else {
            return Vec::new();
        };
        let start = first.time_ns;
        let end = self.end_ns().unwrap_or(start);
        let to_units = |t: u64| (t - start).saturating_add(unit_ns / 2) / unit_ns;
        let mut shown = 0;
        let ends = self.frames[1..]
            .iter()
            .map(|f| f.time_ns)
            .chain(std::iter::once(end));
        ends.map(|t| {
            let delay = to_units(t).saturating_sub(shown).max(1);
            shown += delay;
            delay
        })
        .collect()
    }

    /// The GIF delay of each frame, in centiseconds: the simulated time it was shown, rounded on
    /// the run's timeline, at least 1 and at most `u16::MAX` (about 11 minutes).
    pub fn gif_delays_cs(&self) -> Vec<u16> {
        self.delays(NS_PER_CS)
            .into_iter()
            .map(|d| u16::try_from(d).unwrap_or(u16::MAX))
            .collect()
    }

    /// The APNG delay of each frame as `(numerator, denominator)` seconds: milliseconds
    /// (`(ms, 1000)`) rounded on the run's timeline and at least 1; a frame shown longer than
    /// 65.535 s is given in centiseconds (`(cs, 100)`), at most `u16::MAX` of them.
    pub fn apng_delays(&self) -> Vec<(u16, u16)> {
        self.delays(NS_PER_MS)
            .into_iter()
            .map(|ms| match u16::try_from(ms) {
                Ok(ms) => (ms, 1000),
                Err(_) => (u16::try_from((ms + 5) / 10).unwrap_or(u16::MAX), 100),
            })
            .collect()
    }

    fn check_not_empty(&self) -> Result<&RecordedFrame> {
        self.frames
            .first()
            .context("the recording has no frames; there is nothing to animate")
    }

    /// Writes the recording as an animated GIF that loops forever, with
    /// [`Recording::gif_delays_cs`] as frame delays.
    ///
    /// Every frame is a full image. When the whole run uses at most 256 colours (any monochrome
    /// or few-level display) they go in one global palette and the pixels are exact; otherwise
    /// each frame gets its own palette, exact if the frame has at most 256 colours and reduced
    /// with NeuQuant (lossy) if not. Errors if the recording is empty or larger than 65535 pixels
    /// in either direction, or if writing fails.
    pub fn write_gif(&self, out: impl Write) -> Result<()> {
        self.write_gif_scaled(out, 1)
    }

    /// [`Recording::write_gif`] with every pixel drawn as a `scale` x `scale` square (nearest
    /// neighbour). Frames are enlarged one at a time while writing, so the recording's memory
    /// does not grow with `scale`. Errors if `scale` is 0 or the enlarged frames are too large.
    pub fn write_gif_scaled(&self, out: impl Write, scale: u32) -> Result<()> {
        let first = self.check_not_empty()?;
        let first_scaled = scaled(&first.frame, scale)?;
        let (width, height) = (first_scaled.width, first_scaled.height);
        let too_big = || {
            anyhow::anyhow!("a {width}x{height} recording is larger than GIF allows (65535x65535)")
        };
        let width = u16::try_from(width).map_err(|_| too_big())?;
        let height = u16::try_from(height).map_err(|_| too_big())?;

        let global = self.global_palette();
        let palette_bytes: Vec<u8> = global
            .as_ref()
            .map(|p| p.colours.iter().flatten().copied().collect())
            .unwrap_or_default();
        let mut encoder = gif::Encoder::new(out, width, height, &palette_bytes)
            .context("writing the GIF header")?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .context("writing the GIF loop extension")?;

        for (i, (recorded, delay)) in self.frames.iter().zip(self.gif_delays_cs()).enumerate() {
            let enlarged = scaled(&recorded.frame, scale)?;
            let rgb = &enlarged.rgb;
            let mut frame = match &global {
                Some(palette) => {
                    gif::Frame::from_indexed_pixels(width, height, palette.indices(rgb), None)
                }
                None => match Palette::of(std::iter::once(rgb.as_slice())) {
                    Some(palette) => gif::Frame::from_palette_pixels(
                        width,
                        height,
                        palette.indices(rgb),
                        palette
                            .colours
                            .iter()
                            .flatten()
                            .copied()
                            .collect::<Vec<u8>>(),
                        None,
                    ),
                    None => gif::Frame::from_rgb_speed(width, height, rgb, 10),
                },
            };
            frame.delay = delay;
            encoder
                .write_frame(&frame)
                .with_context(|| format!("writing GIF frame {i}"))?;
        }
        encoder
            .into_inner()
            .context("finishing the GIF")?
            .flush()
            .context("finishing the GIF")?;
        Ok(())
    }

    /// Writes the recording as an animated PNG (APNG) that loops forever, with
    /// [`Recording::apng_delays`] as frame delays.
    ///
    /// Every frame is a full 8-bit RGB image (pixels exact), and the first one is also the
    /// default image that viewers without APNG support show. Errors if the recording is empty or
    /// if writing fails.
    pub fn write_apng(&self, out: impl Write) -> Result<()> {
        self.write_apng_scaled(out, 1)
    }

    /// [`Recording::write_apng`] with every pixel drawn as a `scale` x `scale` square (nearest
    /// neighbour), enlarged one frame at a time while writing. Errors if `scale` is 0 or the
    /// enlarged frames are too large.
    pub fn write_apng_scaled(&self, out: impl Write, scale: u32) -> Result<()> {
        let first = self.check_not_empty()?;
        let first_scaled = scaled(&first.frame, scale)?;
        let frame_count = u32::try_from(self.frames.len()).context("too many frames for APNG")?;
        let mut encoder = png_encoder(out, first_scaled.width, first_scaled.height);
        encoder
            .set_animated(frame_count, 0)
            .context("setting up the APNG animation")?;
        let mut writer = encoder.write_header().context("writing the APNG header")?;
        for (i, (recorded, (num, den))) in self.frames.iter().zip(self.apng_delays()).enumerate() {
            writer
                .set_frame_delay(num, den)
                .map_err(anyhow::Error::from)
                .and_then(|()| {
                    let enlarged = scaled(&recorded.frame, scale)?;
                    Ok(writer.write_image_data(&enlarged.rgb)?)
                })
                .with_context(|| format!("writing APNG frame {i}"))?;
        }
        writer.finish().context("finishing the APNG")?;
        Ok(())
    }

    /// Saves the recording as an animated GIF (see [`Recording::write_gif`]), atomically: the
    /// file is written under a temporary name in the same directory and renamed into place.
    /// Errors name `path`.
    pub fn save_gif(&self, path: &Path) -> Result<()> {
        self.check_not_empty()
            .with_context(|| format!("cannot save GIF to {}", path.display()))?;
        write_atomically(path, "GIF", |out| self.write_gif(out))
    }

    /// Saves the recording as an animated PNG (see [`Recording::write_apng`]), atomically like
    /// [`Recording::save_gif`]. Errors name `path`.
    pub fn save_apng(&self, path: &Path) -> Result<()> {
        self.check_not_empty()
            .with_context(|| format!("cannot save APNG to {}", path.display()))?;
        write_atomically(path, "APNG", |out| self.write_apng(out))
    }

    /// Saves the recording in the format its extension names (any letter case): `.gif` for an
    /// animated GIF, `.png` or `.apng` for an animated PNG. Any other extension, or none, is an
    /// error naming `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.save_scaled(path, 1)
    }

    /// [`Recording::save`] with every pixel drawn as a `scale` x `scale` square (nearest
    /// neighbour), so a 128x32 display is large enough to look at. `scale` 1 is
    /// [`Recording::save`]; 0 is an error.
    pub fn save_scaled(&self, path: &Path, scale: u32) -> Result<()> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("gif") => {
                self.check_not_empty()
                    .and_then(|first| scaled(&first.frame, scale).map(drop))
                    .with_context(|| format!("cannot save GIF to {}", path.display()))?;
                write_atomically(path, "GIF", |out| self.write_gif_scaled(out, scale))
            }
            Some("png" | "apng") => {
                self.check_not_empty()
                    .and_then(|first| scaled(&first.frame, scale).map(drop))
                    .with_context(|| format!("cannot save APNG to {}", path.display()))?;
                write_atomically(path, "APNG", |out| self.write_apng_scaled(out, scale))
            }
            Some(other) => bail!(
                "cannot save the recording to {}: unknown extension `.{other}` (use .gif, .png \
                 or .apng)",
                path.display()
            ),
            None => bail!(
                "cannot save the recording to {}: no file extension to pick a format by (use \
                 .gif, .png or .apng)",
                path.display()
            ),
        }
    }

    /// One palette for every frame, if the whole run has at most 256 colours.
    fn global_palette(&self) -> Option<Palette> {
        Palette::of(self.frames.iter().map(|f| f.frame.rgb.as_slice()))
    }
}

/// `frame` enlarged `scale` times, borrowed as it is for 1.
fn scaled(frame: &Frame, scale: u32) -> Result<std::borrow::Cow<'_, Frame>> {
    if scale == 1 {
        return Ok(std::borrow::Cow::Borrowed(frame));
    }
    crate::screenshot::scale_nearest(frame, scale).map(std::borrow::Cow::Owned)
}

/// An exact palette: colours in order of first appearance.
struct Palette {
    colours: Vec<[u8; 3]>,
    index: HashMap<[u8; 3], u8>,
}

impl Palette {
    /// The colours of the given RGB buffers, or `None` if there are more than 256.
    fn of<'a>(buffers: impl Iterator<Item = &'a [u8]>) -> Option<Self> {
        let mut palette = Palette {
            colours: Vec::new(),
            index: HashMap::new(),
        };
        for rgb in buffers {
            for pixel in rgb.chunks_exact(3) {
                let colour = [pixel[0], pixel[1], pixel[2]];
                if !palette.index.contains_key(&colour) {
                    let i = u8::try_from(palette.colours.len()).ok()?;
                    palette.index.insert(colour, i);
                    palette.colours.push(colour);
                }
            }
        }
        Some(palette)
    }

    /// The palette index of every pixel; every colour must be in the palette.
    fn indices(&self, rgb: &[u8]) -> Vec<u8> {
        rgb.chunks_exact(3)
            .map(|p| self.index.get(&[p[0], p[1], p[2]]).copied().unwrap_or(0))
            .collect()
    }
}
