//! Command-line arguments.

/// What `--help` prints.
pub const USAGE: &str = "\
usage: doorbell [--rings N]

A doorbell's ding-dong on a sound:buzzer buzzer (E5 then C5 on a passive buzzer, two beeps on an
active one), then it exits.

  --rings N   ring N times, a second apart (default: 1; at most 1000)
  -h, --help  print this";

/// The most rings one run plays.
pub const MAX_RINGS: u32 = 1_000;

/// The parsed arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// How many times to ring.
    pub rings: u32,
    /// `--help` was given.
    pub help: bool,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            rings: 1,
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
                "--rings" => {
                    parsed.rings = value.number_in(1..=MAX_RINGS)?;
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
    fn parses_the_rings_and_names_a_bad_value() {
        assert_eq!(Args::parse(["--rings", "3"]).unwrap().rings, 3);
        assert_eq!(Args::parse(Vec::<String>::new()).unwrap().rings, 1);
        let err = Args::parse(["--rings", "0"]).unwrap_err();
        assert!(err.contains("--rings") && err.contains("`0`"), "{err}");
    }
}
