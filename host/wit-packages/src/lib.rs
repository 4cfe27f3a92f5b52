//! The wasi-hal WIT packages.
