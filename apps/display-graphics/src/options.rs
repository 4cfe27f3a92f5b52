//! The command-line options every app takes the same way: `--name value`, `--name=value` and
//! flags, with errors that name the option. Each app keeps its own `Args` and says what each
//! option means; this module only reads the words.

/// The value of the option being read.
pub struct Value<'a> {
    name: &'a str,
    inline: Option<String>,
    rest: &'a mut dyn Iterator<Item = String>,
}

impl Value<'_> {
    /// The option's value: after `=`, or the next argument. `what` names what is expected in the
    /// error when there is none (`--frames needs a number of frames`).
    pub fn get(&mut self, what: &str) -> Result<String, String> {
        self.inline
            .take()
            .or_else(|| self.rest.next())
            .ok_or_else(|| format!("{} needs {what}", self.name))
    }

    /// The option's value as a number in `range`; the error names the option and the range
    /// (``--balls: `x` is not a number from 1 to 64``).
    pub fn number_in<T>(&mut self, range: core::ops::RangeInclusive<T>) -> Result<T, String>
    where
        T: core::str::FromStr + PartialOrd + core::fmt::Display,
    {
        let v = self.get("a number")?;
        v.parse().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            format!(
                "{}: `{v}` is not a number from {} to {}",
                self.name,
                range.start(),
                range.end()
            )
        })
    }

    /// The option's value as a 32-bit number (a seed).
    pub fn u32(&mut self) -> Result<u32, String> {
        let v = self.get("a number")?;
        v.parse()
            .map_err(|_| format!("{}: `{v}` is not a 32-bit number", self.name))
    }

    /// The value of `--frames`: how many frames to draw before stopping.
    pub fn frames(&mut self) -> Result<u64, String> {
        frames(&self.get("a number")?)
    }

    /// `true` when the option was written without `=value`, as a flag must be.
    pub fn is_flag(&self) -> bool {
        self.inline.is_none()
    }
}

/// Reads `args` (the arguments after the program name) one option at a time. `on` gets the
/// option's name and its [`Value`] and returns `Ok(false)` for a name it does not know, which
/// becomes `unknown argument `…``.
pub fn parse<I, S>(
    args: I,
    mut on: impl FnMut(&str, &mut Value<'_>) -> Result<bool, String>,
) -> Result<(), String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut rest = args.into_iter().map(|s| s.as_ref().to_string());
    while let Some(arg) = rest.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = Value {
            name: &name,
            inline,
            rest: &mut rest,
        };
        if !on(&name, &mut value)? {
            return Err(format!("unknown argument `{arg}`"));
        }
    }
    Ok(())
}

/// The value of `--frames`: how many frames to draw before stopping.
pub fn frames(value: &str) -> Result<u64, String> {
    value
        .parse()
        .map_err(|_| format!("--frames: `{value}` is not a number of frames"))
}

/// The whole `main.rs` of an app: `app_main!(pacman, "pacman", "a display driver")` reads the
/// arguments with the app's `args::Args::parse`; on an error prints it and `args::USAGE` to
/// stderr (exit status 2); with `--help` prints `args::USAGE`; else runs `component::run(args)`
/// (the app's `src/component.rs`, built for wasm32 only). Built natively, where there is no
/// host to run on, the program says it is a component to compose with the named driver.
#[macro_export]
macro_rules! app_main {
    ($app:ident, $name:literal, $driver:literal) => {
        #[cfg(target_arch = "wasm32")]
        mod component;

        fn main() -> std::process::ExitCode {
            let args = match $app::args::Args::parse(std::env::args().skip(1)) {
                Ok(args) => args,
                Err(message) => {
                    eprintln!("{}: {message}\n\n{}", $name, $app::args::USAGE);
                    return std::process::ExitCode::from(2);
                }
            };
            if args.help {
                println!("{}", $app::args::USAGE);
                return std::process::ExitCode::SUCCESS;
            }
            #[cfg(target_arch = "wasm32")]
            return component::run(args);
            #[cfg(not(target_arch = "wasm32"))]
            {
                eprintln!(
                    "{}: this program is a wasm32-wasip2 component; run it composed with {}",
                    $name, $driver
                );
                std::process::ExitCode::FAILURE
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str]) -> Result<Vec<(String, Option<String>)>, String> {
        let mut seen = Vec::new();
        parse(args, |name, v| {
            match name {
                "--n" => seen.push((name.to_string(), Some(v.get("a number")?))),
                "--flag" if v.is_flag() => seen.push((name.to_string(), None)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(seen)
    }

    #[test]
    fn values_come_after_the_name_or_after_an_equals_sign() {
        assert_eq!(
            read(&["--n", "1", "--n=2", "--flag"]),
            Ok(vec![
                ("--n".into(), Some("1".into())),
                ("--n".into(), Some("2".into())),
                ("--flag".into(), None),
            ])
        );
    }

    #[test]
    fn missing_values_unknown_names_and_flags_with_values_are_errors() {
        assert_eq!(read(&["--n"]), Err("--n needs a number".into()));
        assert_eq!(read(&["-x"]), Err("unknown argument `-x`".into()));
        assert_eq!(
            read(&["--flag=yes"]),
            Err("unknown argument `--flag=yes`".into())
        );
        assert_eq!(
            frames("ten"),
            Err("--frames: `ten` is not a number of frames".into())
        );
        assert_eq!(frames("30"), Ok(30));
    }
}
