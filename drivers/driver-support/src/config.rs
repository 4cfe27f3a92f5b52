//! Reading the driver's settings from `wasi:config/store`.
//!
//! A missing key means the default, given in the same text form a board file would use. A value
//! the store cannot give, or one the driver does not accept, is a [`ConfigError`] that names the
//! key (and the value); `open` answers it with the device class's `other`.

use alloc::string::String;
use core::fmt;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        inline: "
            package wasi-hal:driver-support;
            world config {
                import wasi:config/store@0.2.0-rc.1;
            }
        ",
        path: ["../wit-deps/config"],
        world: "wasi-hal:driver-support/config",
        generate_all,
    });
}

use bindings::wasi::config::store;

/// A setting that could not be read or is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The `wasi:config` key.
    pub key: &'static str,
    /// What is wrong with it.
    pub problem: ConfigProblem,
}

/// What is wrong with a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigProblem {
    /// The store answered the key with an error.
    Unreadable,
    /// The value is not one the driver accepts.
    Invalid(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            ConfigProblem::Unreadable => write!(f, "wasi:config key `{}` cannot be read", self.key),
            ConfigProblem::Invalid(value) => {
                write!(
                    f,
                    "wasi:config key `{}`: {value:?} is not a valid value",
                    self.key
                )
            }
        }
    }
}

impl core::error::Error for ConfigError {}

/// The value of `key`, `None` when it is missing.
pub fn text(key: &'static str) -> Result<Option<String>, ConfigError> {
    store::get(key).map_err(|_| ConfigError {
        key,
        problem: ConfigProblem::Unreadable,
    })
}

/// The value of `key`, or `default` when it is missing.
pub fn text_or(key: &'static str, default: &str) -> Result<String, ConfigError> {
    Ok(text(key)?.unwrap_or_else(|| default.into()))
}

/// The value of `key` (or `default` when it is missing) read by `parse`; `parse` answers `None`
/// for a value it does not accept.
pub fn parsed<T>(
    key: &'static str,
    default: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, ConfigError> {
    let value = text_or(key, default)?;
    parse(&value).ok_or(ConfigError {
        key,
        problem: ConfigProblem::Invalid(value),
    })
}
