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
