//! Writes the wiring of `boards/sim-pmod-oledrgb.toml` into `$OUT_DIR/spec.rs` (see
//! `virtual-boards/virtual-board/spec_from_board_file.rs`).

include!("../virtual-board/spec_from_board_file.rs");

fn main() {
    write_spec("sim-pmod-oledrgb");
}
