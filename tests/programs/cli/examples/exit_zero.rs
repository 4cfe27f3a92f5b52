//! Prints a line and calls `std::process::exit(0)`: the host must report success (exit 0), not a
//! trap, although `wasi:cli/exit` ends the guest by unwinding like one.

fn main() {
    println!("exiting with 0");
    std::process::exit(0);
}
