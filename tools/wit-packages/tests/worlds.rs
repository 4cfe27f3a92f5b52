//! A guest component built from each world of each package type-checks against that world:
//! it imports nothing the world does not offer (no `wasi:cli`, no filesystem) and exports what
//! the world requires, with the package's exact types.

use test_programs_artifacts::*;
use wasi_hal_wit::{Package, wit_root};

// Every test program must have a test below: `use self::name` fails to compile otherwise.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_worlds!(assert_test_exists);

fn package(folder: &str) -> Package {
    Package::load(&wit_root().join(folder)).unwrap()
}

fn check(folder: &str, world: &str, component: &str) {
    let bytes = std::fs::read(component).unwrap();
    package(folder)
        .check_component_targets(world, &bytes)
        .unwrap_or_else(|e| panic!("{component}: {e:?}"));
}

#[test]
fn worlds_spi_imports() {
    check("wasi-spi", "imports", WORLDS_SPI_IMPORTS);
}

#[test]
fn worlds_i2c_imports() {
    check("wasi-i2c", "imports", WORLDS_I2C_IMPORTS);
}

#[test]
fn worlds_gpio_imports() {
    check("wasi-gpio", "imports", WORLDS_GPIO_IMPORTS);
}

#[test]
fn worlds_delay_imports() {
    check("wasi-delay", "imports", WORLDS_DELAY_IMPORTS);
}

#[test]
fn worlds_display_driver() {
    check("display-pixels", "driver", WORLDS_DISPLAY_DRIVER);
}

#[test]
fn worlds_display_app() {
    check("display-pixels", "app", WORLDS_DISPLAY_APP);
}

#[test]
fn worlds_sensor_driver() {
    check("sensor-environment", "driver", WORLDS_SENSOR_DRIVER);
}

#[test]
fn worlds_sensor_app() {
    check("sensor-environment", "app", WORLDS_SENSOR_APP);
}

#[test]
fn worlds_strip_driver() {
    check("led-strip", "driver", WORLDS_STRIP_DRIVER);
}

#[test]
fn worlds_strip_app() {
    check("led-strip", "app", WORLDS_STRIP_APP);
}

#[test]
fn worlds_pwm_imports() {
    check("wasi-pwm", "imports", WORLDS_PWM_IMPORTS);
}

#[test]
fn worlds_buzzer_driver() {
    check("sound-buzzer", "driver", WORLDS_BUZZER_DRIVER);
}

#[test]
fn worlds_buzzer_app() {
    check("sound-buzzer", "app", WORLDS_BUZZER_APP);
}

#[test]
fn worlds_commands_receiver() {
    check("wasi-hal-commands", "receiver", WORLDS_COMMANDS_RECEIVER);
}

#[test]
fn a_component_of_another_world_is_refused() {
    // The app imports the display; the driver world imports nothing and exports it.
    let app = std::fs::read(WORLDS_DISPLAY_APP).unwrap();
    let err = package("display-pixels")
        .check_component_targets("driver", &app)
        .unwrap_err();
    assert!(format!("{err:#}").contains("driver"), "{err:#}");
    // A guest that needs SPI does not fit a world that offers only GPIO.
    let spi_guest = std::fs::read(WORLDS_SPI_IMPORTS).unwrap();
    assert!(
        package("wasi-gpio")
            .check_component_targets("imports", &spi_guest)
            .is_err()
    );
}

#[test]
fn a_changed_type_is_refused() {
    // The same package with one function's type changed must not accept the old component.
    let dir = std::env::temp_dir().join(format!("wasi-hal-worlds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = std::fs::read_to_string(wit_root().join("wasi-delay/delay.wit")).unwrap();
    let changed = source.replace("delay-ms: func(ms: u32);", "delay-ms: func(ms: u64);");
    assert_ne!(source, changed);
    std::fs::write(dir.join("delay.wit"), changed).unwrap();
    let changed = Package::load(&dir).unwrap();
    let bytes = std::fs::read(WORLDS_DELAY_IMPORTS).unwrap();
    assert!(changed.check_component_targets("imports", &bytes).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
