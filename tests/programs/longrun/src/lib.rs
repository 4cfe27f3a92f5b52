//! Command components for long runs and the host's limits: each example is a `wasi:cli/run`
//! component.
//!
//! - `toggle`: drives one output line through many changes of level.
//! - `huge_read`: asks an SPI device for far more bytes than its cap, then for the cap.

/// The value after `--NAME` on the command line, parsed, or `default`.
pub fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let flag = format!("--{name}");
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| *a == flag)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{flag}: cannot parse {v:?}"))
        })
        .unwrap_or(default)
}
