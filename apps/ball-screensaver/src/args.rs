//! Command-line arguments.

/// What `--help` prints.
pub const USAGE: &str = "\
usage: ball-screensaver [--frames N] [--balls N] [--seed N]

Bouncing balls on a display:pixels display, 30 frames per second paced with wasi:delay.

  --frames N   stop after N frames (default: run forever)
  --balls N    how many balls, 1 to 64 (default: 6)
  --seed N     seed of the balls' sizes, positions and speeds (default: 1)
  -h, --help   print this";

/// The parsed arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// Stop after this many frames; `None` runs forever.
    pub frames: Option<u64>,
    /// How many balls.
    pub balls: usize,
    /// Seed of the balls' start.
    pub seed: u32,
    /// `--help` was given.
    pub help: bool,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            frames: None,
            balls: 6,
            seed: 1,
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
                "--balls" => {
                    parsed.balls = value.number_in(1..=64)?;
                }
                "--seed" => {
                    parsed.seed = value.u32()?;
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
        let args = Args::parse(["--frames=300", "--balls", "3", "--seed", "8"]).unwrap();
        assert_eq!(
            args,
            Args {
                frames: Some(300),
                balls: 3,
                seed: 8,
                help: false
            }
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert_eq!(
            Args::parse(["--frames"]),
            Err("--frames needs a number".to_string())
        );
        assert!(Args::parse(["--frames", "x"]).is_err());
        assert!(Args::parse(["--balls", "0"]).is_err());
        assert!(Args::parse(["--balls", "65"]).is_err());
        assert_eq!(
            Args::parse(["fast"]),
            Err("unknown argument `fast`".to_string())
        );
    }
}
