//! A small fuzzing driver that needs no nightly compiler: it replays a target's corpus, then
//! feeds it mutations of the corpus and seeds (bit flips, byte changes, insertions of
//! dictionary tokens, deletions, duplications, splices, truncations) from a seeded random
//! generator, until a number of inputs or a time budget is spent. The same seed gives the same
//! inputs in the same order, so a failure in CI is reproduced by running the test again.
//!
//! A failing input (an `Err` or a panic) is written to `target/wasi-hal/fuzz/<target>/` with
//! its message; copied into `fuzz/corpus/<target>/`, it becomes a regression case that every
//! later run replays first.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A fuzz target: `Err` (or a panic) is a failure.
pub type Target = fn(&[u8]) -> Result<(), String>;

/// SplitMix64: a tiny, good-enough generator for choosing mutations.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Applies one to four random mutations to `input`.
pub fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>], dictionary: &[&[u8]]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next_u64() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                out.splice(i..i, bytes);
            }
            3 if !dictionary.is_empty() => {
                let i = rng.below(len + 1);
                let token = dictionary[rng.below(dictionary.len())];
                out.splice(i..i, token.iter().copied());
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                out.drain(i..i + n);
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let copy = out[i..i + n].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, copy);
            }
            6 if !others.is_empty() => {
                let other = &others[rng.below(others.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            7 if len > 0 => out.truncate(rng.below(len)),
            _ if len > 0 => {
                // An interesting value: 0, all ones, or a byte near a boundary.
                let i = rng.below(len);
                out[i] = [0x00, 0xff, 0x7f, 0x80, 0x01][rng.below(5)];
            }
            _ => out.push(rng.next_u64() as u8),
        }
    }
    out
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Corpus inputs replayed.
    pub replayed: usize,
    /// Mutated inputs run.
    pub mutated: usize,
    /// Failures: where the input was saved and the message.
    pub failures: Vec<(PathBuf, String)>,
}

/// Every file in `dir` (none when it does not exist), sorted by name.
pub fn corpus(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes)))
        .collect()
}

/// Runs `target` on `input`; a panic becomes an `Err` with its message.
pub fn run_one(target: Target, input: &[u8]) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| target(input))) {
        Ok(result) => result,
        Err(panic) => Err(format!(
            "panic: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)")
        )),
    }
}

/// How a fuzz run is bounded and seeded.
#[derive(Clone, Debug)]
pub struct Budget {
    /// The generator's seed.
    pub seed: u64,
    /// The most mutated inputs to run.
    pub max_inputs: usize,
    /// The most wall time for the mutated inputs (the corpus is always replayed whole).
    pub max_time: Duration,
}

/// Replays the corpus of `name` from `corpus_dir`, then runs mutations of the corpus and
/// `seeds` within `budget`. Failing inputs are saved under `failures_dir`.
pub fn fuzz(
    name: &str,
    target: Target,
    corpus_dir: &Path,
    seeds: &[Vec<u8>],
    dictionary: &[&[u8]],
    budget: &Budget,
    failures_dir: &Path,
) -> Report {
    let mut report = Report::default();
    let fail = |input: &[u8], message: String, report: &mut Report| {
        let hash = input.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let dir = failures_dir.join(name);
        let path = dir.join(format!("crash-{hash:016x}"));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(&path, input);
        let _ = std::fs::write(path.with_extension("txt"), &message);
        report.failures.push((path, message));
    };
    let mut pool: Vec<Vec<u8>> = seeds.to_vec();
    for (_, input) in corpus(corpus_dir) {
        report.replayed += 1;
        if let Err(message) = run_one(target, &input) {
            fail(&input, message, &mut report);
        }
        pool.push(input);
    }
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    let mut rng = Rng::new(budget.seed);
    let started = Instant::now();
    while report.mutated < budget.max_inputs && started.elapsed() < budget.max_time {
        let base = &pool[rng.below(pool.len())];
        let input = mutate(&mut rng, base, &pool, dictionary);
        report.mutated += 1;
        if let Err(message) = run_one(target, &input) {
            fail(&input, message, &mut report);
        }
    }
    report
}
