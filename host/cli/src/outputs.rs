//! What a run leaves behind: screenshots, recordings and the bus trace of the simulated board,
//! and the live terminal view while it runs.
//!
//! Frames are sampled whenever the guest waits (each `wasi:delay` call is a frame boundary for
//! an app that paces itself) and once at the end. Identical consecutive frames are merged by the
//! recording, so sampling often costs little.

use crate::RunOptions;
use crate::interrupt::StopFlag;
use crate::live::{KeyMap, Live};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wasi_hal_board::Board;
use wasi_hal_sim::ssd1306::SharedSsd1306;
use wasi_hal_sim::{Frame, SimClock};
use wasi_hal_sim_render::{Display, Recording};

/// The displays of a simulated board and what is being kept of them.
pub(crate) struct Outputs {
    sampler: Option<Arc<Mutex<Sampler>>>,
    screenshot: Option<PathBuf>,
    record: Option<PathBuf>,
    trace: Option<PathBuf>,
}

pub(crate) struct Sampler {
    clock: SimClock,
    displays: Vec<(String, SharedSsd1306)>,
    recordings: Option<Vec<Recording>>,
    /// The live view in the terminal, when there is one.
    live: Option<Live>,
    /// What each display showed at the last sample taken while it was lit: the screenshot. A
    /// driver may switch its panel off when the app ends; the screenshot is the app's last
    /// frame, not the dark panel.
    last: Vec<Frame>,
}

impl Sampler {
    /// Takes one sample of every display.
    pub(crate) fn sample(&mut self) {
        let now = self.clock.now_ns();
        let (frames, lit): (Vec<Frame>, Vec<bool>) = self
            .displays
            .iter()
            .map(|(_, d)| {
                let d = d.lock().unwrap_or_else(|e| e.into_inner());
                (d.frame(), d.is_lit())
            })
            .unzip();
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
    pub(crate) fn new(board: &Board, options: &RunOptions, stop: &StopFlag) -> Result<Self> {
        let sim = board.simulated();
        let wants_output =
            options.screenshot.is_some() || options.record.is_some() || options.trace.is_some();
        if sim.is_none() && wants_output {
            anyhow::bail!(
                "--screenshot, --record and --trace need a simulated board; {} is not one",
                options.board.display()
            );
        }
        let sampler = match sim {
            None => None,
            Some(sim) => {
                if options.trace.is_some() {
                    sim.trace().enable();
                }
                let displays: Vec<(String, SharedSsd1306)> = sim
                    .display_names()
                    .filter_map(|n| sim.ssd1306(n).map(|d| (n.to_string(), d.clone())))
                    .collect();
                // A bad key map is an error whether or not there is a terminal to use it in.
                let keys = KeyMap::new(&options.keys, sim, &options.board)?;
                let live = if options.live_view && !displays.is_empty() {
                    Live::start(keys, stop.clone())
                } else {
                    None
                };
                Some(Arc::new(Mutex::new(Sampler {
                    clock: sim.clock().clone(),
                    recordings: options
                        .record
                        .as_ref()
                        .map(|_| displays.iter().map(|_| Recording::new()).collect()),
                    displays,
                    live,
                    last: Vec::new(),
                })))
            }
        };
        Ok(Self {
            sampler,
            screenshot: options.screenshot.clone(),
            record: options.record.clone(),
            trace: options.trace.clone(),
        })
    }

    /// The sampler, for the delay hook.
    pub(crate) fn sampler(&self) -> Option<Arc<Mutex<Sampler>>> {
        self.sampler.clone()
    }

    /// Takes the last sample and saves everything asked for.
    pub(crate) fn finish(self, board: &Board) -> Result<()> {
        let Some(sampler) = self.sampler else {
            return Ok(());
        };
        let mut sampler = sampler.lock().unwrap_or_else(|e| e.into_inner());
        // Gives the terminal back before anything is printed.
        sampler.live = None;
        // A guest that never waited was never sampled: its last frame is the final state.
        if sampler.last.is_empty() {
            sampler.sample();
        }
        let last = std::mem::take(&mut sampler.last);
        // The recording ends with what the displays show now (a driver may have powered off).
        sampler.sample();
        let names: Vec<String> = sampler.displays.iter().map(|(n, _)| n.clone()).collect();
        if let Some(path) = &self.screenshot {
            for (i, (name, frame)) in names.iter().zip(&last).enumerate() {
                let path = per_display(path, name, i, names.len());
                wasi_hal_sim_render::save_png(frame, &path)
                    .with_context(|| format!("failed to save the screenshot of `{name}`"))?;
            }
        }
        let end = sampler.clock.now_ns();
        if let (Some(path), Some(recordings)) = (&self.record, &mut sampler.recordings) {
            for (i, recording) in recordings.iter_mut().enumerate() {
                let _ = recording.end_at(end);
                let path = per_display(path, &names[i], i, names.len());
                recording
                    .save(&path)
                    .with_context(|| format!("failed to save the recording of `{}`", names[i]))?;
            }
        }
        if let (Some(path), Some(sim)) = (&self.trace, board.simulated()) {
            wasi_hal_sim_render::save_trace_jsonl(&sim.trace().take(), path)?;
        }
        Ok(())
    }
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
