//! Every WIT package parses, resolves, encodes to binary WIT with the right name and version,
//! and documents every item.

use wasi_hal_wit::{Package, decode_package_name, wit_root};

/// The packages the project promises, by folder. A folder that appears or disappears without
/// this list changing is a mistake.
const EXPECTED: &[(&str, &str)] = &[
    ("display-pixels", "display:pixels@0.1.1"),
    ("led-strip", "led:strip@0.1.0"),
    ("sensor-environment", "sensor:environment@0.1.0"),
    ("sound-buzzer", "sound:buzzer@0.1.0"),
    ("wasi-delay", "wasi:delay@0.1.0"),
    ("wasi-gpio", "wasi:gpio@0.1.0"),
    ("wasi-hal-commands", "wasi-hal:commands@0.1.0"),
    ("wasi-hal-inspect", "wasi-hal:inspect@0.1.0"),
    ("wasi-i2c", "wasi:i2c@0.1.0"),
    ("wasi-pwm", "wasi:pwm@0.1.0"),
    ("wasi-spi", "wasi:spi@0.1.0"),
];

fn packages() -> Vec<Package> {
    Package::load_all(&wit_root()).expect("every WIT package resolves")
}

#[test]
fn every_folder_is_the_expected_package() {
    let found: Vec<(String, String)> = packages()
        .iter()
        .map(|p| {
            let folder = p.dir().file_name().unwrap().to_string_lossy().into_owned();
            (folder, p.name())
        })
        .collect();
    let expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(f, n)| (f.to_string(), n.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn binary_wit_round_trips_name_and_version() {
    for package in packages() {
        let bytes = package.encode().unwrap();
        wasmparser_validate(&bytes);
        assert_eq!(decode_package_name(&bytes).unwrap(), package.name());
        assert!(
            package
                .binary_file_name()
                .contains(&package.version().unwrap()),
            "{} has an unversioned file name",
            package.name()
        );
    }
}

fn wasmparser_validate(bytes: &[u8]) {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .expect("binary WIT is a valid component");
}

#[test]
fn every_item_has_a_doc_comment() {
    let mut missing = Vec::new();
    for package in packages() {
        for item in package.missing_docs() {
            missing.push(format!("{}: {item}", package.name()));
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented WIT items:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_docs_check_finds_a_missing_doc_comment() {
    // The check above is only worth something if it can fail: strip one comment and look.
    let dir = tempdir();
    let source = std::fs::read_to_string(wit_root().join("wasi-delay/delay.wit")).unwrap();
    let stripped = source.replacen("    /// Waits at least `us` microseconds.\n", "", 1);
    assert_ne!(source, stripped, "the fixture line exists");
    std::fs::write(dir.join("delay.wit"), stripped).unwrap();
    let package = Package::load(&dir).unwrap();
    assert_eq!(
        package.missing_docs(),
        vec!["interface delay / func delay-us"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_package_is_a_clear_error() {
    let dir = tempdir();
    std::fs::write(
        dir.join("bad.wit"),
        "package bad:pkg@0.1.0;\ninterface i { f: func() -> missing-type; }\n",
    )
    .unwrap();
    let err = format!("{:#}", Package::load(&dir).unwrap_err());
    assert!(err.contains("missing-type"), "{err}");
    assert!(err.contains(&dir.display().to_string()), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wasi-hal-wit-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
