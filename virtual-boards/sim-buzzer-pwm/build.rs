//! Writes the wiring of `boards/sim-buzzer-pwm.toml` into `$OUT_DIR/spec.rs` (see
//! `virtual-boards/virtual-board/spec_from_board_file.rs`).

include!("../virtual-board/spec_from_board_file.rs");

fn main() {
    write_spec("sim-buzzer-pwm");
}
