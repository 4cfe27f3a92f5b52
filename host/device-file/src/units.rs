//! The device file's spellings of durations (`"500ms"`, `"5s"`, `"2m"`, `"1h"`) and sizes
//! (`"16 MiB"`, `"512 KiB"`, or a number of bytes).

use std::time::Duration;

/// Parses a duration: a whole number and a unit, `ms`, `s`, `m` or `h`, with optional spaces
/// between (`"250ms"`, `"5 s"`). Zero is allowed here; callers refuse it where it makes no
/// sense.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = split_number(text)?;
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "" => {
            return Err(format!(
                "`{text}` has no unit (write for example \"5s\" or \"500ms\")"
            ));
        }
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}` (units: `ms`, `s`, `m`, `h`)"
            ));
        }
    };
    number
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{text}` is too long"))
}

/// Parses a size: a whole number and a unit, `B`, `KiB`, `MiB` or `GiB`, with optional spaces
/// between (`"16 MiB"`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)?;
    let shift = match unit {
        "B" | "" => 0,
        "KiB" => 10,
        "MiB" => 20,
        "GiB" => 30,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}` (units: `B`, `KiB`, `MiB`, `GiB`)"
            ));
        }
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

fn split_number(text: &str) -> Result<(u64, &str), String> {
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(trimmed.len());
    if digits == 0 {
        return Err(format!("`{text}` does not start with a whole number"));
    }
    let number = trimmed[..digits]
        .replace('_', "")
        .parse::<u64>()
        .map_err(|_| format!("the number in `{text}` is too large"))?;
    Ok((number, trimmed[digits..].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5 s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("5").unwrap_err().contains("no unit"));
        assert!(
            parse_duration("5 weeks")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_duration("s").unwrap_err().contains("whole number"));
        assert_eq!(parse_size("16 MiB"), Ok(16 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(
            parse_size("99999999999 GiB")
                .unwrap_err()
                .contains("too large")
        );
    }
}
