//! The soak guest of `benches/` (the `soak` binary and `benches/tests/soak.rs`): the example
//! `traffic` makes the same round of bus traffic again and again for a span of simulated time.
