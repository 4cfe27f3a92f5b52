//! Exits with code 7 through `wasi:cli/exit.exit-with-code`: the host must exit with 7 too, as
//! `wasmtime run` does. (Rust's `std::process::exit(7)` reaches a WASI 0.2 host as plain
//! `exit(err)`, which is 1; `exit-with-code` carries the number.)

fn main() {
    println!("exiting with 7");
    wasip2::cli::exit::exit_with_code(7);
}
