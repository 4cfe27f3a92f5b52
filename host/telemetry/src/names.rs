//! The topic scheme (docs/fleet.md) and the names that go into it.
//!
//! ```text
//! wasi-hal/<node>/status                          retained "online" / "offline" (last will);
//!                                                 "online" again every keep-alive period
//! wasi-hal/<node>/keep-alive                      retained keep-alive in seconds
//! wasi-hal/<node>/readings/<component>/<quantity> a Reading as JSON, QoS 1
//! wasi-hal/<node>/accepts/<component>             retained JSON list of the commands it accepts
//! wasi-hal/<node>/commands/<component>            a Command as JSON, in (QoS 1)
//! homeassistant/sensor/<unique-id>/config         retained Home Assistant discovery
//! ```

use serde::{Deserialize, Serialize};

/// The first level of every topic of the scheme.
pub const ROOT: &str = "wasi-hal";

/// Longest node, component, quantity or command name, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// A name that cannot go into a topic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} {name:?} is not a valid name: use 1 to {MAX_NAME_LEN} ASCII letters, digits, `-` or `_`"
)]
pub struct BadName {
    /// Which name: `node`, `component`, `quantity` or `command`.
    pub what: &'static str,
    /// The name as given.
    pub name: String,
}

/// Checks that `name` fits in one topic level and in a Home Assistant object id: 1 to
/// [`MAX_NAME_LEN`] ASCII letters, digits, `-` or `_` (no `/`, `+`, `#` or spaces).
pub fn check_name(what: &'static str, name: &str) -> Result<(), BadName> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(BadName {
            what,
            name: name.to_string(),
        })
    }
}

/// `wasi-hal/<node>/status`: retained `online` or `offline`.
pub fn status_topic(node: &str) -> String {
    format!("{ROOT}/{node}/status")
}

/// `wasi-hal/<node>/keep-alive`: retained, the node's keep-alive in seconds. The node sends a
/// message at least once in each such period, so a subscriber that has heard nothing from it
/// for 1.5 periods may take it as gone.
pub fn keep_alive_topic(node: &str) -> String {
    format!("{ROOT}/{node}/keep-alive")
}

/// `wasi-hal/<node>/readings/<component>/<quantity>`.
pub fn reading_topic(node: &str, component: &str, quantity: &str) -> String {
    format!("{ROOT}/{node}/readings/{component}/{quantity}")
}

/// `wasi-hal/<node>/commands/<component>`.
pub fn command_topic(node: &str, component: &str) -> String {
    format!("{ROOT}/{node}/commands/{component}")
}

/// `wasi-hal/<node>/accepts/<component>`: retained list of command names.
pub fn accepts_topic(node: &str, component: &str) -> String {
    format!("{ROOT}/{node}/accepts/{component}")
}

/// The payload of `wasi-hal/<node>/status` while the node is connected.
pub const ONLINE: &str = "online";
/// The payload of `wasi-hal/<node>/status` after it left or died (its last will).
pub const OFFLINE: &str = "offline";

/// A topic of the scheme, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topic {
    /// `wasi-hal/<node>/status`.
    Status {
        /// The node.
        node: String,
    },
    /// `wasi-hal/<node>/keep-alive`.
    KeepAlive {
        /// The node.
        node: String,
    },
    /// `wasi-hal/<node>/readings/<component>/<quantity>`.
    Reading {
        /// The node.
        node: String,
        /// The component.
        component: String,
        /// The quantity.
        quantity: String,
    },
    /// `wasi-hal/<node>/commands/<component>`.
    Command {
        /// The node.
        node: String,
        /// The component.
        component: String,
    },
    /// `wasi-hal/<node>/accepts/<component>`.
    Accepts {
        /// The node.
        node: String,
        /// The component.
        component: String,
    },
}

impl Topic {
    /// Takes a topic of the scheme apart; `None` for any other topic or a level that is not a
    /// valid name.
    pub fn parse(topic: &str) -> Option<Topic> {
        let levels: Vec<&str> = topic.split('/').collect();
        let valid = |names: &[&str]| names.iter().all(|n| check_name("name", n).is_ok());
        match levels.as_slice() {
            [ROOT, node, "status"] if valid(&[node]) => Some(Topic::Status {
                node: node.to_string(),
            }),
            [ROOT, node, "keep-alive"] if valid(&[node]) => Some(Topic::KeepAlive {
                node: node.to_string(),
            }),
            [ROOT, node, "readings", component, quantity]
                if valid(&[node, component, quantity]) =>
            {
                Some(Topic::Reading {
                    node: node.to_string(),
                    component: component.to_string(),
                    quantity: quantity.to_string(),
                })
            }
            [ROOT, node, "commands", component] if valid(&[node, component]) => {
                Some(Topic::Command {
                    node: node.to_string(),
                    component: component.to_string(),
                })
            }
            [ROOT, node, "accepts", component] if valid(&[node, component]) => {
                Some(Topic::Accepts {
                    node: node.to_string(),
                    component: component.to_string(),
                })
            }
            _ => None,
        }
    }
}

/// A command for one component, as it travels on `wasi-hal/<node>/commands/<component>`
/// (the component is the topic's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandMessage {
    /// The command's name, for example `beep`.
    pub command: String,
    /// Its argument, as the component defines it (may be empty).
    #[serde(default)]
    pub payload: String,
}

/// Longest command payload accepted, in bytes (checked before it is handed on).
pub const MAX_COMMAND_PAYLOAD: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip() {
        assert_eq!(
            Topic::parse(&reading_topic("n1", "bme680", "temperature")),
            Some(Topic::Reading {
                node: "n1".into(),
                component: "bme680".into(),
                quantity: "temperature".into()
            })
        );
        assert_eq!(
            Topic::parse(&status_topic("n1")),
            Some(Topic::Status { node: "n1".into() })
        );
        assert_eq!(
            Topic::parse(&command_topic("n1", "buzzer")),
            Some(Topic::Command {
                node: "n1".into(),
                component: "buzzer".into()
            })
        );
        assert_eq!(
            Topic::parse(&accepts_topic("n1", "buzzer")),
            Some(Topic::Accepts {
                node: "n1".into(),
                component: "buzzer".into()
            })
        );
        assert_eq!(
            Topic::parse(&keep_alive_topic("n1")),
            Some(Topic::KeepAlive { node: "n1".into() })
        );
        assert_eq!(Topic::parse("wasi-hal/n1/other/x"), None);
        assert_eq!(Topic::parse("elsewhere/n1/status"), None);
        assert_eq!(Topic::parse("wasi-hal/n 1/status"), None);
    }

    #[test]
    fn names_with_topic_characters_are_refused() {
        for bad in ["", "a/b", "a+", "#", "with space", &"x".repeat(65)] {
            let err = check_name("node", bad).unwrap_err();
            assert!(err.to_string().starts_with("node "), "{err}");
        }
        check_name("node", "spoke-1_a").unwrap();
    }
}
