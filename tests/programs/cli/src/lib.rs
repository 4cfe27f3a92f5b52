//! Command components for the tests of the `wasi-hal` command: each example is a
//! `wasi:cli/run` component that misbehaves in one way.
