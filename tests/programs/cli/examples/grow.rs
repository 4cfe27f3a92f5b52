//! Allocates linear memory until it fails: the memory limit must stop it.

fn main() {
    let mut blocks = Vec::new();
    loop {
        blocks.push(std::hint::black_box(vec![1u8; 1 << 20]));
    }
}
