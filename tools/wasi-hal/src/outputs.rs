//! What a run leaves behind: screenshots, recordings and the bus trace of the simulated board,
//! and the live terminal view while it runs.
//!
//! Frames are sampled whenever the guest waits (each `wasi:delay` call is a frame boundary for
//! an app that paces itself) and once at the end. Identical consecutive frames are merged by the
//! recording, so sampling often costs little.
//!
//! A sample counts as a *frame* for `--frames` when a lit display shows something other than at
//! the last counted frame (for the first one: than before the guest started, so a driver that
//! switches its panel on with a cleared picture has shown no frame yet). Once `--frames N` frames were counted, the first sample that shows
//! yet another picture stops the guest ([`StopRequest`]) and is left out: the screenshot and the
//! recording end with the N-th frame.

use crate::RunOptions;
use crate::limits::{StopReason, StopRequest};
use crate::live::{KeyMap, Live};
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wasi_hal_board::Board;
use wasi_hal_board::SimDisplay;
use wasi_hal_sim::{Frame, SimClock};
use wasi_hal_sim_render::{Display, Recording};

/// The displays of a simulated board and what is being kept of them.
pub(crate) struct Outputs {
    sampler: Option<Arc<Mutex<Sampler>>>,
    screenshot: Option<PathBuf>,
    record: Option<PathBuf>,
    /// The bus trace, written to its file as the run goes (so `--trace` keeps memory flat).
    trace: Option<wasi_hal_sim_render::TraceStream>,
    /// `--scale`: every pixel of screenshots and recordings as a square this wide.
    scale: u32,
}

pub(crate) struct Sampler {
    clock: SimClock,
    displays: Vec<(String, SimDisplay)>,
    recordings: Option<Vec<Recording>>,
    /// The live view in the terminal, when there is one (docs/play.md).
    live: Option<Live>,
    /// What each display showed at the last sample taken while it was lit: the screenshot. A
    /// driver may switch its panel off when the app ends; the screenshot is the app's last
    /// frame, not the dark panel.
    last: Vec<Frame>,
    /// What each display showed at the last counted frame; before the first, what it showed
    /// before the guest started.
    counted_pictures: Vec<Frame>,
    /// Frames counted so far.
    frames: u64,
    /// `--frames`: the guest is stopped when it shows more.
    frame_limit: Option<u64>,
    stop: Arc<StopRequest>,
    /// The frame limit was reached: nothing more is kept.
    halted: bool,
}

impl Sampler {
    /// Frames the displays showed so far (see the module docs).
    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    /// Takes one sample of every display.
    pub(crate) fn sample(&mut self) {
        if self.halted {
            return;
        }
        let now = self.clock.now_ns();
        let (frames, lit): (Vec<Frame>, Vec<bool>) = self
            .displays
            .iter()
            .map(|(_, d)| (d.frame(), d.is_lit()))
            .unzip();
        let changed = frames
            .iter()
            .zip(&self.counted_pictures)
            .zip(&lit)
            .any(|((now, before), lit)| *lit && now != before);
        if changed {
            if self.frame_limit.is_some_and(|limit| self.frames >= limit) {
                // One picture more than asked for: stop here and keep none of it.
                self.halted = true;
                self.stop.request(StopReason::Frames(self.frames));
                return;
            }
            self.frames += 1;
            self.counted_pictures = frames.clone();
        }
        if let Some(recordings) = &mut self.recordings {
            for (recording, frame) in recordings.iter_mut().zip(&frames) {
                // A push can only fail for a frame of another size or an earlier time; the
                // display's size is fixed and the clock never goes back.
                let _ = recording.push(now, frame);
            }
        }
        if let Some(live) = &mut self.live {
            live.poll();
            let named: Vec<Display<'_>> = self
                .displays
                .iter()
                .zip(frames.iter())
                .map(|((name, _), frame)| Display { name, frame })
                .collect();
            live.draw(&named, now);
        }
        if self.last.len() != frames.len() {
            self.last = frames;
        } else {
            for ((last, frame), lit) in self.last.iter_mut().zip(frames).zip(lit) {
                if lit {
                    *last = frame;
                }
            }
        }
    }
}

impl Outputs {
    pub(crate) fn new(board: &Board, options: &RunOptions, stop: Arc<StopRequest>) -> Result<Self> {
        let sim = board.simulated();
        let wants_output =
            options.screenshot.is_some() || options.record.is_some() || options.trace.is_some();
        if sim.is_none() && wants_output {
            anyhow::bail!(
                "--screenshot, --record and --trace need a simulated board; {} is not one",
                options.board.display()
            );
        }
        let trace = match (sim, &options.trace) {
            (Some(sim), Some(path)) => {
                Some(wasi_hal_sim_render::stream_trace_jsonl(sim.trace(), path)?)
            }
            _ => None,
        };
        let sampler = match sim {
            None => None,
            Some(sim) => {
                let displays: Vec<(String, SimDisplay)> = sim
                    .display_names()
                    .filter_map(|n| sim.display(n).map(|d| (n.to_string(), d.clone())))
                    .collect();
                // A bad key map is an error whether or not there is a terminal to use it in.
                let keys = KeyMap::new(&options.keys, sim, &options.board)?;
                let live = if options.live_view && !displays.is_empty() {
                    Live::start(keys, stop.clone())
                } else {
                    None
                };
                let before: Vec<Frame> = displays.iter().map(|(_, d)| d.frame()).collect();
                Some(Arc::new(Mutex::new(Sampler {
                    clock: sim.clock().clone(),
                    recordings: options
                        .record
                        .as_ref()
                        .map(|_| displays.iter().map(|_| Recording::new()).collect()),
                    displays,
                    live,
                    last: Vec::new(),
                    counted_pictures: before,
                    frames: 0,
                    frame_limit: options.frames,
                    stop: stop.clone(),
                    halted: false,
                })))
            }
        };
        Ok(Self {
            sampler,
            screenshot: options.screenshot.clone(),
            record: options.record.clone(),
            trace,
            scale: options.scale,
        })
    }

    /// Frames the simulated displays showed so far.
    pub(crate) fn frames(&self) -> u64 {
        self.sampler
            .as_ref()
            .map_or(0, |s| s.lock().unwrap_or_else(|e| e.into_inner()).frames())
    }

    /// The sampler, for the delay hook.
    pub(crate) fn sampler(&self) -> Option<Arc<Mutex<Sampler>>> {
        self.sampler.clone()
    }

    /// Takes the last sample and saves everything asked for. Every output is attempted; the
    /// errors of those that could not be saved are returned (empty when all were saved).
    pub(crate) fn finish(self, board: &Board) -> Vec<anyhow::Error> {
        let mut errors = Vec::new();
        let Some(sampler) = self.sampler else {
            return errors;
        };
        let mut sampler = sampler.lock().unwrap_or_else(|e| e.into_inner());
        // Gives the terminal back before anything is printed.
        sampler.live = None;
        // A guest that never waited was never sampled: its last frame is the final state.
        if sampler.last.is_empty() {
            let halted = std::mem::replace(&mut sampler.halted, false);
            sampler.sample();
            sampler.halted = halted;
        }
        let last = std::mem::take(&mut sampler.last);
        // The recording ends with what the displays show now (a driver may have powered off),
        // unless the guest was stopped for showing one frame too many.
        sampler.sample();
        let names: Vec<String> = sampler.displays.iter().map(|(n, _)| n.clone()).collect();
        if let Some(path) = &self.screenshot {
            for (i, (name, frame)) in names.iter().zip(&last).enumerate() {
                let path = per_display(path, name, i, names.len());
                if let Err(e) = wasi_hal_sim_render::save_png_scaled(frame, self.scale, &path)
                    .with_context(|| format!("failed to save the screenshot of `{name}`"))
                {
                    errors.push(e);
                }
            }
        }
        let end = sampler.clock.now_ns();
        if let (Some(path), Some(recordings)) = (&self.record, &mut sampler.recordings) {
            for (i, recording) in recordings.iter_mut().enumerate() {
                let _ = recording.end_at(end);
                let path = per_display(path, &names[i], i, names.len());
                if let Err(e) = recording
                    .save_scaled(&path, self.scale)
                    .with_context(|| format!("failed to save the recording of `{}`", names[i]))
                {
                    errors.push(e);
                }
            }
        }
        if let (Some(trace), Some(sim)) = (self.trace, board.simulated())
            && let Err(e) = trace.finish(sim.trace())
        {
            errors.push(e);
        }
        errors
    }
}

/// Checks, before the guest starts, that every output file asked for can be written: its
/// folder exists and takes a new file, and a recording's extension names a format. Errors name
/// the flag and the path.
pub(crate) fn check_paths(options: &RunOptions) -> Result<()> {
    for (flag, path) in [
        ("--screenshot", &options.screenshot),
        ("--record", &options.record),
        ("--trace", &options.trace),
    ] {
        let Some(path) = path else { continue };
        let bad = |why: String| anyhow!("{flag} {}: {why}", path.display());
        if path.file_name().is_none() {
            return Err(bad("the path does not end in a file name".into()));
        }
        if path.is_dir() {
            return Err(bad("this is a folder; give a file name".into()));
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(bad(format!("the folder {} does not exist", dir.display())));
        }
        // The only sure test of a folder taking a new file is making one.
        let probe = dir.join(format!(".wasi-hal-probe-{}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
        {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(bad(format!(
                    "cannot write in the folder {}: {e}",
                    dir.display()
                )));
            }
        }
        if flag == "--record" {
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            if !matches!(ext.as_deref(), Some("gif" | "png" | "apng")) {
                return Err(bad(
                    "a recording is saved as .gif, .png or .apng; the extension says which".into(),
                ));
            }
        }
    }
    Ok(())
}

/// `out.png` for the only display; `out-NAME.png` for each of several.
fn per_display(path: &Path, name: &str, _index: usize, count: usize) -> PathBuf {
    if count <= 1 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
    let file = match ext {
        Some(ext) => format!("{stem}-{name}.{ext}"),
        None => format!("{stem}-{name}"),
    };
    path.with_file_name(file)
}
