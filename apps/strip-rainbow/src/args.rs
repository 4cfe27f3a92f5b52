//! Command-line arguments.

/// What `--help` prints.
pub const USAGE: &str = "\
usage: strip-rainbow [--frames N] [--speed N] [--brightness N]

A rainbow that runs along a led:strip strip, 30 frames per second paced with wasi:delay.

  --frames N       stop after N frames (default: run forever)
  --speed N        hue steps per frame, 0 to 255 (default: 4; 256 steps are one turn)
  --brightness N   0 to 255 (default: 64: a bright strip at full power dazzles)
  -h, --help       print this";

/// The parsed arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// Stop after this many frames; `None` runs forever.
    pub frames: Option<u64>,
    /// Hue steps per frame.
    pub speed: u8,
    /// The strip's brightness.
    pub brightness: u8,
    /// `--help` was given.
    pub help: bool,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            frames: None,
            speed: 4,
            brightness: 64,
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
                "--speed" => parsed.speed = value.number_in(0..=255)?,
                "--brightness" => parsed.brightness = value.number_in(0..=255)?,
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
    fn parses_the_options_and_names_a_bad_value() {
        let args = Args::parse(["--frames", "5", "--speed", "9", "--brightness=200"]).unwrap();
        assert_eq!(
            (args.frames, args.speed, args.brightness),
            (Some(5), 9, 200)
        );
        let err = Args::parse(["--brightness", "300"]).unwrap_err();
        assert!(err.contains("--brightness") && err.contains("300"), "{err}");
    }
}
