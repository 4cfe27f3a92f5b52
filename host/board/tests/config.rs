//! The `[config]` table: values handed to guests through `wasi:config`.

use wasi_hal_board::{BoardFile, ErrorKind};

const BOARD: &str = r#"
[board]
name = "config"
backend = "simulated"

[config]
"display.panel" = "128x32"
"display.address" = 60
"sensor.heater" = true
"#;

#[test]
fn config_values_are_kept_as_text() {
    let file = BoardFile::parse(BOARD, "boards/config.toml").unwrap();
    let config: Vec<(&str, &str)> = file
        .config
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        config,
        [
            ("display.address", "60"),
            ("display.panel", "128x32"),
            ("sensor.heater", "true"),
        ]
    );
}

#[test]
fn a_table_as_config_value_is_refused_with_its_key_and_line() {
    let bad = format!("{BOARD}\"display.size\" = {{ width = 1 }}\n");
    let err = BoardFile::parse(&bad, "boards/config.toml").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongType);
    assert_eq!(err.key(), Some("config.\"display.size\""));
    assert_eq!(err.location().map(|l| l.line), Some(10));
    assert!(
        err.to_string().starts_with("boards/config.toml:10:"),
        "{err}"
    );
}

#[test]
fn no_config_table_means_no_values() {
    let file = BoardFile::parse(
        "[board]\nname = \"x\"\nbackend = \"simulated\"\n",
        "boards/x.toml",
    )
    .unwrap();
    assert!(file.config.is_empty());
}
