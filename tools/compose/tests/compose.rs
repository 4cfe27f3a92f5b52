//! Composing real components from WAC source: an app that imports `display:pixels` wired to a
//! driver that exports it leaves a component with no display import.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use test_programs_artifacts::{WORLDS_DISPLAY_APP, WORLDS_DISPLAY_DRIVER};

const WAC: &str = "\
package test:composition;

let driver = new test:display-driver {};
let app = new test:display-app { ...driver };
export app.run;
";

fn deps() -> HashMap<String, PathBuf> {
    HashMap::from([
        (
            "test:display-driver".to_string(),
            PathBuf::from(WORLDS_DISPLAY_DRIVER),
        ),
        (
            "test:display-app".to_string(),
            PathBuf::from(WORLDS_DISPLAY_APP),
        ),
    ])
}

/// The names a component imports and exports, from its decoded WIT world.
fn world_of(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(bytes).unwrap()
    else {
        panic!("not a component");
    };
    let names = |items: &wit_parser::IndexMap<wit_parser::WorldKey, wit_parser::WorldItem>| {
        items
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect::<Vec<_>>()
    };
    let w = &resolve.worlds[world];
    (names(&w.imports), names(&w.exports))
}

#[test]
fn app_plugged_into_driver_imports_no_display() {
    let (app_imports, _) = world_of(&std::fs::read(WORLDS_DISPLAY_APP).unwrap());
    assert_eq!(app_imports, ["display:pixels/display@0.1.1"]);

    let bytes = wasi_hal_compose::compose_source(WAC, Path::new("test.wac"), &deps()).unwrap();
    let (imports, exports) = world_of(&bytes);
    assert!(imports.is_empty(), "composition still imports {imports:?}");
    assert_eq!(exports, ["run"]);
}

#[test]
fn a_missing_component_names_the_package_and_position() {
    let mut deps = deps();
    deps.remove("test:display-app");
    let err = wasi_hal_compose::compose_source(WAC, Path::new("x.wac"), &deps).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.starts_with("x.wac:4:15: no component given for package `test:display-app`"),
        "{msg}"
    );
}

#[test]
fn a_syntax_error_names_line_and_column() {
    let bad = WAC.replace("let app = new", "let app = nwe");
    let err = wasi_hal_compose::compose_source(&bad, Path::new("bad.wac"), &deps()).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.starts_with("bad.wac:4:"), "{msg}");
}

#[test]
fn an_unknown_export_is_an_error_with_position() {
    let bad = WAC.replace("export app.run;", "export app.walk;");
    let err = wasi_hal_compose::compose_source(&bad, Path::new("w.wac"), &deps()).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.starts_with("w.wac:5:"), "{msg}");
    assert!(msg.contains("walk"), "{msg}");
}

#[test]
fn a_missing_wac_file_is_named() {
    let err = wasi_hal_compose::compose_file(Path::new("/nonexistent/x.wac"), &deps()).unwrap_err();
    assert!(format!("{err:#}").contains("/nonexistent/x.wac"));
}
