//! `doorbell`: a doorbell's ding-dong on a buzzer.
//!
//! The tune is plain data ([`DING_DONG`], [`BETWEEN_RINGS`]), so the notes are the same on any
//! buzzer driver and in native unit tests; the component ([`main`](../doorbell/index.html))
//! plays them through `sound:buzzer`. On a passive buzzer (it sets the pitch) the ding-dong is a
//! falling major third, E5 then C5; an active buzzer plays its own pitch for both, two beeps.

pub mod args;

/// One step of a tune: pitch in hertz (0 is a rest) and length in milliseconds.
pub type Step = (u32, u32);

/// One ring: E5 for 300 ms, a 60 ms gap, C5 for 600 ms.
pub const DING_DONG: [Step; 3] = [(659, 300), (0, 60), (523, 600)];

/// The silence between two rings.
pub const BETWEEN_RINGS: Step = (0, 1_000);

/// The steps of `rings` rings, in order: each ring, and a silence between two.
pub fn tune(rings: u32) -> impl Iterator<Item = &'static [Step]> {
    (0..rings).flat_map(move |ring| {
        let pause: &'static [Step] = if ring + 1 < rings {
            core::slice::from_ref(&BETWEEN_RINGS)
        } else {
            &[]
        };
        [&DING_DONG[..], pause]
    })
}

/// The most rings one `ring` command asks for (a command must not hold the buzzer for long).
pub const MAX_COMMAND_RINGS: u32 = 5;

/// The number of rings a `ring` command's payload asks for: empty is 1; otherwise a whole
/// number from 1 to [`MAX_COMMAND_RINGS`].
pub fn command_rings(payload: &str) -> Result<u32, String> {
    let payload = payload.trim();
    if payload.is_empty() {
        return Ok(1);
    }
    payload
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_COMMAND_RINGS).contains(n))
        .ok_or_else(|| format!("`{payload}` is not a number from 1 to {MAX_COMMAND_RINGS}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_command_takes_one_to_five_rings() {
        assert_eq!(command_rings(""), Ok(1));
        assert_eq!(command_rings(" 3 "), Ok(3));
        for bad in ["0", "6", "x", "-1"] {
            assert!(command_rings(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rings_are_separated_by_a_silence() {
        let steps: Vec<Step> = tune(2).flatten().copied().collect();
        assert_eq!(
            steps,
            [
                (659, 300),
                (0, 60),
                (523, 600),
                (0, 1_000),
                (659, 300),
                (0, 60),
                (523, 600)
            ]
        );
        assert_eq!(tune(0).count(), 0);
    }
}
