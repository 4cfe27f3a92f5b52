//! Who holds a device, bus or pin, and when it may be opened again.
//!
//! Every SPI device, I2C bus and GPIO pin of a board has one [`GuestHold`]. The rules, the same
//! for all three (only [`Reopen`] differs, and it is fixed per kind of resource):
//! 1. A resource nobody holds is held by the first guest that opens it.
//! 2. While guest G holds it, another guest's open is refused with [`InUse`]. G's own second
//!    open succeeds under [`Reopen::SameGuest`] (SPI devices and I2C buses: drivers composed
//!    into one component are one guest and share their bus) and is refused under
//!    [`Reopen::Never`] (GPIO pins: two handles would drive one wire).
//! 3. Each successful open gives a [`HoldToken`]. Releasing a token ends one handle; the hold
//!    ends with its last handle.
//! 4. [`GuestHold::release_guest`] ends a guest's hold whatever its handles (its context was
//!    dropped, or the host let a trapped guest's resources go).
//! 5. A token of a hold that has ended is stale: releasing it does nothing, and
//!    [`GuestHold::holds`] is `false` for it, even when the same guest holds the resource
//!    again.
//!
//! [`GuestHold::acquire`] and the release functions report whether the hold began or ended, so
//! the owner can do what its kind needs then (an SPI device goes back to the board's settings, a
//! pin driven as an output to its safe level).

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};

/// Identifies one guest: one host context, or the one guest of a virtual board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GuestId(u64);

impl GuestId {
    /// An identifier no other call of `fresh` in this process returned.
    pub fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Whether the guest that holds a resource may open it again (see the [module](self) rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reopen {
    /// The holding guest may open it any number of times; each open is one more handle.
    SameGuest,
    /// One open handle at a time, whoever asks.
    Never,
}

/// One open handle's share of a hold: given by [`GuestHold::acquire`], given back to
/// [`GuestHold::release`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HoldToken {
    guest: GuestId,
    /// Which hold of the resource (they are numbered from 1), so a stale token is told apart.
    hold: u64,
}

impl HoldToken {
    /// The guest the handle belongs to.
    pub fn guest(self) -> GuestId {
        self.guest
    }
}

/// The resource is held and may not be opened now (`in-use`, or `already-in-use` for a pin).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InUse;

impl fmt::Display for InUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("in use")
    }
}

impl core::error::Error for InUse {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Holder {
    token: HoldToken,
    /// Open handles of this hold (at least 1).
    handles: usize,
}

/// Who holds one resource now, under one [`Reopen`] rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestHold {
    reopen: Reopen,
    holder: Option<Holder>,
    /// The number of the last hold that began.
    holds_begun: u64,
}

impl GuestHold {
    /// A resource nobody holds.
    pub const fn new(reopen: Reopen) -> Self {
        Self {
            reopen,
            holder: None,
            holds_begun: 0,
        }
    }

    /// The rule for a second open by the holder.
    pub fn reopen(&self) -> Reopen {
        self.reopen
    }

    /// Whether anybody holds the resource.
    pub fn is_held(&self) -> bool {
        self.holder.is_some()
    }

    /// The guest that holds the resource.
    pub fn holder(&self) -> Option<GuestId> {
        self.holder.map(|h| h.token.guest)
    }

    /// The number of open handles of the current hold (0 when nobody holds it).
    pub fn handles(&self) -> usize {
        self.holder.map_or(0, |h| h.handles)
    }

    /// Opens the resource for `guest`: a token for the new handle, or [`InUse`].
    pub fn acquire(&mut self, guest: GuestId) -> Result<HoldToken, InUse> {
        match &mut self.holder {
            None => {
                self.holds_begun += 1;
                let token = HoldToken {
                    guest,
                    hold: self.holds_begun,
                };
                self.holder = Some(Holder { token, handles: 1 });
                Ok(token)
            }
            Some(holder) if holder.token.guest == guest && self.reopen == Reopen::SameGuest => {
                holder.handles += 1;
                Ok(holder.token)
            }
            Some(_) => Err(InUse),
        }
    }

    /// Whether `token` belongs to the current hold.
    pub fn holds(&self, token: HoldToken) -> bool {
        self.holder.is_some_and(|h| h.token == token)
    }

    /// The token of `guest`'s current hold, for an owner that keeps only the guest of a handle.
    pub fn token_of(&self, guest: GuestId) -> Option<HoldToken> {
        self.holder
            .filter(|h| h.token.guest == guest)
            .map(|h| h.token)
    }

    /// Ends the handle `token` was given for. Returns `true` when that ended the hold; a stale
    /// token does nothing.
    pub fn release(&mut self, token: HoldToken) -> bool {
        let Some(holder) = &mut self.holder else {
            return false;
        };
        if holder.token != token {
            return false;
        }
        holder.handles -= 1;
        if holder.handles == 0 {
            self.holder = None;
            return true;
        }
        false
    }

    /// Ends `guest`'s hold, whatever its handles. Returns `true` when `guest` held the resource.
    pub fn release_guest(&mut self, guest: GuestId) -> bool {
        if self.holder() == Some(guest) {
            self.holder = None;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_guest_is_refused_until_the_last_handle_goes() {
        for reopen in [Reopen::SameGuest, Reopen::Never] {
            let (a, b) = (GuestId::fresh(), GuestId::fresh());
            let mut hold = GuestHold::new(reopen);
            let token = hold.acquire(a).unwrap();
            assert_eq!(hold.holder(), Some(a));
            assert_eq!(hold.acquire(b), Err(InUse), "{reopen:?}");
            assert!(hold.release(token));
            assert!(!hold.is_held());
            let token_b = hold.acquire(b).unwrap();
            assert_eq!(hold.acquire(a), Err(InUse), "{reopen:?}");
            assert!(hold.holds(token_b));
        }
    }

    #[test]
    fn same_guest_reopens_only_when_the_rule_allows() {
        let a = GuestId::fresh();
        let mut bus = GuestHold::new(Reopen::SameGuest);
        let first = bus.acquire(a).unwrap();
        let second = bus.acquire(a).unwrap();
        assert_eq!(bus.handles(), 2);
        assert!(!bus.release(first), "one handle is still open");
        assert!(bus.is_held());
        assert!(bus.release(second));
        assert!(!bus.is_held());

        let mut pin = GuestHold::new(Reopen::Never);
        pin.acquire(a).unwrap();
        assert_eq!(pin.acquire(a), Err(InUse));
        assert_eq!(pin.handles(), 1);
    }

    #[test]
    fn release_guest_ends_every_handle_and_leaves_tokens_stale() {
        let (a, b) = (GuestId::fresh(), GuestId::fresh());
        let mut hold = GuestHold::new(Reopen::SameGuest);
        let old = hold.acquire(a).unwrap();
        hold.acquire(a).unwrap();
        assert!(!hold.release_guest(b), "b holds nothing");
        assert!(hold.is_held());
        assert!(hold.release_guest(a));
        assert!(!hold.is_held());
        assert!(!hold.holds(old));

        // The same guest holds it again: its old token must not end the new hold.
        let new = hold.acquire(a).unwrap();
        assert!(!hold.holds(old));
        assert!(!hold.release(old));
        assert!(hold.holds(new));
        assert_eq!(hold.token_of(a), Some(new));
        assert_eq!(hold.token_of(b), None);
        assert!(hold.release(new));
    }
}
