//! Command-line arguments.

/// What `--help` prints.
pub const USAGE: &str = "\
usage: pacman [--frames N] [--seed N] [--buttons-active-high]

Pacman that plays itself on a display:pixels display, 30 frames per second paced with wasi:delay.
Direction buttons on wasi:gpio input pins named button-up/-down/-left/-right (or btn-up, ...)
take over while pressed, and the autopilot comes back 5 seconds after the last press.

  --frames N              stop after N frames (default: run forever)
  --seed N                seed of the frightened ghosts' turns (default: 1)
  --buttons-active-high   a button reads high while pressed (default: low, buttons to ground)
  -h, --help              print this";

/// The parsed arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// Stop after this many frames; `None` runs forever.
    pub frames: Option<u64>,
    /// Seed of the frightened ghosts' turns.
    pub seed: u32,
    /// A button's line is high while it is pressed.
    pub buttons_active_high: bool,
    /// `--help` was given.
    pub help: bool,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            frames: None,
            seed: 1,
            buttons_active_high: false,
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
                "--frames" => {
                    parsed.frames = Some(display_graphics::options::frames(
                        &value.get("a number of frames")?,
                    )?)
                }
                "--seed" => {
                    parsed.seed = value.u32()?;
                }
                "--buttons-active-high" if value.is_flag() => parsed.buttons_active_high = true,
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
    fn no_arguments_run_forever() {
        assert_eq!(Args::parse::<_, &str>([]), Ok(Args::default()));
    }

    #[test]
    fn every_option_parses() {
        let args = Args::parse(["--frames", "90", "--seed=7", "--buttons-active-high"]).unwrap();
        assert_eq!(
            args,
            Args {
                frames: Some(90),
                seed: 7,
                buttons_active_high: true,
                help: false
            }
        );
        assert_eq!(Args::parse(["--frames=3"]).unwrap().frames, Some(3));
        assert!(Args::parse(["-h"]).unwrap().help);
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert_eq!(
            Args::parse(["--frames"]),
            Err("--frames needs a number of frames".to_string())
        );
        assert!(
            Args::parse(["--frames", "-1"])
                .unwrap_err()
                .contains("not a number")
        );
        assert!(Args::parse(["--frames", "ten"]).is_err());
        assert!(Args::parse(["--seed", "99999999999"]).is_err());
        assert_eq!(
            Args::parse(["--fast"]),
            Err("unknown argument `--fast`".to_string())
        );
        assert!(Args::parse(["--buttons-active-high=yes"]).is_err());
    }
}
