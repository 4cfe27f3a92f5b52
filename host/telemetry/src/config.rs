//! Where a device's readings go: the broker, how to log in, and how much to keep while it is
//! away: the broker keys of the device file's `[telemetry]` table, and of the hub's
//! `--broker-file` (docs/fleet.md).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default keep-alive: a dead device shows offline about 1.5 times this after it died.
pub const DEFAULT_KEEP_ALIVE_S: u64 = 30;
/// Default bound of the queue of readings that wait while the broker is away.
pub const DEFAULT_QUEUE: usize = 10_000;
/// The shortest keep-alive the MQTT client takes.
pub const MIN_KEEP_ALIVE_S: u64 = 5;
/// The longest queue a device file may ask for (each reading is about 200 bytes).
pub const MAX_QUEUE: usize = 1_000_000;

/// The broker a device reports to: the broker keys of the device file's `[telemetry]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BrokerConfig {
    /// `mqtt://host[:port]` (port 1883 when left out) or `mqtts://host[:port]` (TLS, 8883).
    pub url: String,
    /// User name to log in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password for `username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// PEM file of the CA that signed the broker's certificate (`mqtts://`; the system's roots
    /// when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// PEM file of this device's client certificate (`mqtts://`, with `client-key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    /// PEM file of the private key of `client-cert`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// MQTT keep-alive in seconds (5 or more): the broker declares the device dead, and sends
    /// its last will (`offline`), after 1.5 times this without a word from it.
    #[serde(default = "default_keep_alive")]
    pub keep_alive_s: u64,
    /// How many readings wait while the broker is away; past it the oldest are dropped and
    /// counted.
    #[serde(default = "default_queue")]
    pub queue: usize,
}

fn default_keep_alive() -> u64 {
    DEFAULT_KEEP_ALIVE_S
}

fn default_queue() -> usize {
    DEFAULT_QUEUE
}

/// Why a broker configuration is refused. Every message names the file (when there is one)
/// and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML does not parse into a `[broker]` table (the message has the line and key).
    #[error("{file}: {message}")]
    Parse {
        /// The file, or `<string>`.
        file: String,
        /// toml's message: line, column, and the key or value at fault.
        message: String,
    },
    /// A value is out of its range or inconsistent with another.
    #[error("{file}: broker.{key}: {message}")]
    Invalid {
        /// The file, or `<string>`.
        file: String,
        /// The key at fault, without the `broker.` prefix.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A certificate or key file cannot be read.
    #[error("{file}: broker.{key}: cannot read {path}: {source}")]
    Read {
        /// The device file, or `<string>`.
        file: String,
        /// The key that names the unreadable file.
        key: &'static str,
        /// The unreadable file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Whether the connection is plain TCP or TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `mqtt://`.
    Mqtt,
    /// `mqtts://`.
    Mqtts,
}

/// The broker's address, from `url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerAddress {
    /// Plain or TLS.
    pub scheme: Scheme,
    /// Host name or IP address (without brackets for IPv6).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl BrokerConfig {
    /// A configuration for `url` with every other key at its default.
    pub fn new(url: impl Into<String>) -> Self {
        BrokerConfig {
            url: url.into(),
            username: None,
            password: None,
            ca_cert: None,
            client_cert: None,
            client_key: None,
            keep_alive_s: DEFAULT_KEEP_ALIVE_S,
            queue: DEFAULT_QUEUE,
        }
    }

    /// Reads a `[broker]` table from TOML text (the table's keys at the top level), then
    /// checks it. `file` names the text in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let file_name = file.display().to_string();
        let config: BrokerConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file_name.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config.validate(&file_name)?;
        Ok(config)
    }

    /// Checks the values: the URL, the keep-alive, the queue bound, and that credentials and
    /// certificates come in pairs. `file` names the device file in errors.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let invalid = |key: &'static str, message: String| ConfigError::Invalid {
            file: file.to_string(),
            key,
            message,
        };
        let address = self.address().map_err(|m| invalid("url", m))?;
        if self.keep_alive_s < MIN_KEEP_ALIVE_S {
            return Err(invalid(
                "keep-alive-s",
                format!(
                    "{} is below the minimum of {MIN_KEEP_ALIVE_S} seconds",
                    self.keep_alive_s
                ),
            ));
        }
        if self.queue == 0 || self.queue > MAX_QUEUE {
            return Err(invalid(
                "queue",
                format!("{} is outside 1 to {MAX_QUEUE}", self.queue),
            ));
        }
        if self.password.is_some() && self.username.is_none() {
            return Err(invalid(
                "password",
                "a password needs a `username`".to_string(),
            ));
        }
        if self.client_cert.is_some() != self.client_key.is_some() {
            let key = if self.client_cert.is_some() {
                "client-cert"
            } else {
                "client-key"
            };
            return Err(invalid(
                key,
                "`client-cert` and `client-key` go together".to_string(),
            ));
        }
        if address.scheme == Scheme::Mqtt {
            for (key, set) in [
                ("ca-cert", self.ca_cert.is_some()),
                ("client-cert", self.client_cert.is_some()),
            ] {
                if set {
                    return Err(invalid(key, "needs an `mqtts://` url".to_string()));
                }
            }
        }
        if self.client_cert.is_some() && self.ca_cert.is_none() {
            return Err(invalid(
                "client-cert",
                "a client certificate needs `ca-cert` (the CA of the broker's certificate)"
                    .to_string(),
            ));
        }
        Ok(())
    }

    /// The broker's scheme, host and port from `url`.
    pub fn address(&self) -> Result<BrokerAddress, String> {
        let (scheme, rest) = if let Some(rest) = self.url.strip_prefix("mqtt://") {
            (Scheme::Mqtt, rest)
        } else if let Some(rest) = self.url.strip_prefix("mqtts://") {
            (Scheme::Mqtts, rest)
        } else {
            return Err(format!(
                "{:?} is not an `mqtt://` or `mqtts://` url",
                self.url
            ));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(format!(
                "{:?}: only a host and a port go in the url (credentials are `username` and `password`)",
                self.url
            ));
        }
        let default_port = match scheme {
            Scheme::Mqtt => 1883,
            Scheme::Mqtts => 8883,
        };
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("{:?}: unclosed `[` in the host", self.url))?;
            match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None if after.is_empty() => (host, None),
                None => return Err(format!("{:?}: junk after the host", self.url)),
            }
        } else {
            match rest.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            }
        };
        if host.is_empty() {
            return Err(format!("{:?} has no host", self.url));
        }
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| format!("{:?}: port {p:?} is not 1 to 65535", self.url))?,
            None => default_port,
        };
        Ok(BrokerAddress {
            scheme,
            host: host.to_string(),
            port,
        })
    }

    /// rumqttc's options for a client `client_id` of this broker: address, TLS with the CA
    /// and client certificate files read now, credentials, keep-alive, and whether the broker
    /// forgets the session when the client goes (`clean_session`).
    pub fn mqtt_options(
        &self,
        client_id: &str,
        clean_session: bool,
    ) -> Result<rumqttc::MqttOptions, ConfigError> {
        let address = self.address().map_err(|message| ConfigError::Invalid {
            file: "<broker>".into(),
            key: "url",
            message,
        })?;
        let mut mqtt = rumqttc::MqttOptions::new(client_id, address.host, address.port);
        mqtt.set_keep_alive(self.keep_alive())
            .set_clean_session(clean_session);
        if let Some(user) = &self.username {
            mqtt.set_credentials(user, self.password.clone().unwrap_or_default());
        }
        if address.scheme == Scheme::Mqtts {
            let read = |key: &'static str, path: &Path| {
                std::fs::read(path).map_err(|source| ConfigError::Read {
                    file: "<broker>".into(),
                    key,
                    path: path.display().to_string(),
                    source,
                })
            };
            let transport = match &self.ca_cert {
                Some(ca) => {
                    let ca = read("ca-cert", ca)?;
                    let client_auth = match (&self.client_cert, &self.client_key) {
                        (Some(cert), Some(key)) => {
                            Some((read("client-cert", cert)?, read("client-key", key)?))
                        }
                        _ => None,
                    };
                    rumqttc::Transport::tls(ca, client_auth, None)
                }
                None => rumqttc::Transport::tls_with_default_config(),
            };
            mqtt.set_transport(transport);
        }
        Ok(mqtt)
    }

    /// The keep-alive as a duration.
    pub fn keep_alive(&self) -> Duration {
        Duration::from_secs(self.keep_alive_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BrokerConfig, ConfigError> {
        BrokerConfig::from_toml(text, Path::new("device.toml"))
    }

    #[test]
    fn defaults_and_ports() {
        let c = parse("url = \"mqtt://broker.local\"\n").unwrap();
        assert_eq!(c.keep_alive_s, DEFAULT_KEEP_ALIVE_S);
        assert_eq!(c.queue, DEFAULT_QUEUE);
        let a = c.address().unwrap();
        assert_eq!(
            (a.scheme, a.host.as_str(), a.port),
            (Scheme::Mqtt, "broker.local", 1883)
        );
        let a = BrokerConfig::new("mqtts://[::1]:9000").address().unwrap();
        assert_eq!(
            (a.scheme, a.host.as_str(), a.port),
            (Scheme::Mqtts, "::1", 9000)
        );
        assert_eq!(BrokerConfig::new("mqtts://h").address().unwrap().port, 8883);
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let err = parse("url = \"mqtt://h\"\nusrname = \"me\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("device.toml: "), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("usrname"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_named() {
        let err = parse("url = \"mqtt://h\"\nqueue = \"big\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && err.contains("queue"), "{err}");
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("url = \"http://h\"", "broker.url"),
            ("url = \"mqtt://h:0\"", "broker.url"),
            ("url = \"mqtt://user:pw@h\"", "broker.url"),
            (
                "url = \"mqtt://h\"\nkeep-alive-s = 2",
                "broker.keep-alive-s",
            ),
            ("url = \"mqtt://h\"\nqueue = 0", "broker.queue"),
            ("url = \"mqtt://h\"\npassword = \"x\"", "broker.password"),
            ("url = \"mqtt://h\"\nca-cert = \"ca.pem\"", "broker.ca-cert"),
            (
                "url = \"mqtts://h\"\nclient-cert = \"c.pem\"",
                "broker.client-cert",
            ),
            (
                "url = \"mqtts://h\"\nclient-cert = \"c.pem\"\nclient-key = \"k.pem\"",
                "broker.client-cert",
            ),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("device.toml: {key}: ")),
                "{text}: {err}"
            );
        }
    }
}
