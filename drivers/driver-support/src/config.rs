//! The driver's settings from `wasi:config/store`: a missing key means the default (in the text a
//! board file would use); a value that cannot be read or is not accepted is a [`ConfigError`].

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

/// A setting that could not be read (`value` is `None`: the store answered with an error) or
/// whose value the driver does not accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The `wasi:config` key.
    pub key: &'static str,
    /// The value that is not valid.
    pub value: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            None => write!(f, "wasi:config key `{}` cannot be read", self.key),
            Some(value) => write!(f, "wasi:config key `{}`: {value:?} is not valid", self.key),
        }
    }
}

impl core::error::Error for ConfigError {}

/// The value of `key`, `None` when it is missing.
pub fn text(key: &'static str) -> Result<Option<String>, ConfigError> {
    store::get(key).map_err(|_| ConfigError { key, value: None })
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
        value: Some(value),
    })
}
