//! An adapter component: the upstream draft `wasi:i2c@0.2.0-draft` on top of wasi-hal's
//! `wasi:i2c@0.1.0` and `wasi:delay@0.1.0`.
//!
//! The draft's `i2c` and `delay` are handles that a host gives a guest. This adapter makes them
//! from the board's buses: its `wasi-hal:i2c-draft-adapter/handles` interface opens a bus by
//! virtual name as a draft `i2c` handle, so a component written against the draft (plus that
//! one function to get its handle) runs on any wasi-hal host:
//!
//! ```text
//! wac plug draft-guest.wasm --plug i2c-draft-adapter.wasm -o guest-on-wasi-hal.wasm
//! ```
//!
//! Every transfer still goes through the host's board-file policy (allowed addresses, transfer
//! sizes, the bus lock). The draft's addresses are `u16` (10-bit addressing) and its lengths
//! `u64`; wasi-hal's are 7-bit and `u32`: what does not fit is `other`, checked here before
//! the host is asked ([`seven_bit`], [`length`]). docs/adapters.md lists the mapping.
#![no_std]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod component;

/// A draft address as a 7-bit address: `None` for anything above 0x7F (10-bit addresses;
/// wasi-hal's `wasi:i2c@0.1.0` has 7-bit addresses only).
pub fn seven_bit(address: u16) -> Option<u8> {
    u8::try_from(address).ok().filter(|a| *a <= 0x7F)
}

/// A draft length as wasi-hal's: `None` above `u32::MAX` (no host allows such a transfer).
pub fn length(len: u64) -> Option<u32> {
    u32::try_from(len).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_seven_bit_addresses_pass() {
        assert_eq!(seven_bit(0x76), Some(0x76));
        assert_eq!(seven_bit(0x7F), Some(0x7F));
        assert_eq!(seven_bit(0x80), None);
        assert_eq!(seven_bit(0x3FF), None);
    }

    #[test]
    fn lengths_above_u32_are_refused() {
        assert_eq!(length(4), Some(4));
        assert_eq!(length(u64::from(u32::MAX)), Some(u32::MAX));
        assert_eq!(length(u64::from(u32::MAX) + 1), None);
    }
}
