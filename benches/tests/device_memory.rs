//! The memory benchmark of a device's idle components (`device-memory`, docs/performance.md)
//! keeps running: a device of 1 and one of 3 idle components come up, every component opens and
//! measures once, and the resident memory is sampled. No figure is checked here (they are
//! measured in release by the binary).

use std::time::Duration;
use wasi_hal_benches::device_memory;

#[test]
fn idle_components_come_up_and_their_memory_is_sampled() {
    let dir = std::env::temp_dir().join(format!(
        "wasi-hal-device-memory-test-{}",
        std::process::id()
    ));
    for components in [1, 3] {
        let sample = device_memory::measure(components, Duration::from_millis(500), &dir)
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(sample.components, components);
        assert!(
            sample.running_kib > 0 && sample.loaded_kib > 0,
            "{sample:?}"
        );
        eprintln!("{sample:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
