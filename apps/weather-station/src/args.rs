//! Command-line arguments.

/// What `--help` prints.
pub const USAGE: &str = "\
usage: weather-station [--frames N] [--interval-ms N]

Reads sensor:environment once a frame and draws temperature, pressure, humidity and gas readings
with a temperature trend on a display:pixels display; frames are paced with wasi:delay.

  --frames N        stop after N frames (default: run forever)
  --interval-ms N   time between frames, 1 to 3600000 ms (default: 1000)
  -h, --help        print this";

/// The parsed arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// Stop after this many frames; `None` runs forever.
    pub frames: Option<u64>,
    /// Milliseconds between frames.
    pub interval_ms: u32,
    /// `--help` was given.
    pub help: bool,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            frames: None,
            interval_ms: 1000,
            help: false,
        }
    }
}

impl Args {
    /// Parses the arguments after the program name.
    pub fn parse<I, S>(args: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut parsed = Self::default();
        display_graphics::options::parse(args, |name, value| {
            match name {
                "--frames" => parsed.frames = Some(value.frames()?),
                "--interval-ms" => {
                    parsed.interval_ms = value.number_in(1..=3_600_000)?;
                }
                "-h" | "--help" if value.is_flag() => parsed.help = true,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        assert_eq!(Args::parse::<_, &str>([]), Ok(Args::default()));
        assert_eq!(
            Args::parse(["--frames", "5", "--interval-ms=250"]),
            Ok(Args {
                frames: Some(5),
                interval_ms: 250,
                help: false
            })
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(Args::parse(["--frames", "many"]).is_err());
        assert!(Args::parse(["--interval-ms", "0"]).is_err());
        assert_eq!(
            Args::parse(["--interval-ms"]),
            Err("--interval-ms needs a number".to_string())
        );
        assert_eq!(
            Args::parse(["-x"]),
            Err("unknown argument `-x`".to_string())
        );
    }
}
