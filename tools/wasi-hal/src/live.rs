//! The live view of `wasi-hal run`: the simulated displays drawn in the terminal, fitted to its
//! size, and the keyboard on the board's buttons.
//!
//! [`Live::start`] takes the terminal when stdout is one: when stdin is one too, raw mode (keys
//! arrive one by one, unechoed) and the alternate screen, with the cursor hidden; else the view
//! draws on the normal screen and reads no keys. The terminal is given back as it was when the
//! [`Live`] is dropped (at the end of the run, whichever way it ends) and, through a panic hook,
//! when the host panics.
//!
//! [`Live::poll`], called at every sample (each wait of the guest), reads the keys that came in:
//!
//! - a key of the [`KeyMap`] presses its button: the button's line goes to its pressed level and
//!   stays there until [`HOLD`] after the last event of that key. A terminal reports key presses
//!   and the repeats of a held key, never a release, so a tap holds the button for [`HOLD`] and
//!   a key held down keeps it pressed once the terminal repeats it. Pressing another key
//!   releases the buttons held before (a terminal repeats only the last key held);
//! - `q` asks the run to stop ([`StopReason::Quit`]), Ctrl-C too ([`StopReason::Interrupt`]):
//!   raw mode turns Ctrl-C into a key, so both go through the same [`StopRequest`].

use crate::limits::{StopReason, StopRequest};
use anyhow::{Result, anyhow, bail};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};
use std::io::{IsTerminal, Stdout};
use std::path::Path;
use std::sync::Arc;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasi_hal_board::{SimBoard, SimButton};
use wasi_hal_sim_render::{Colors, Display, TerminalView};

/// How long a key press holds its button after the key's last event.
pub const HOLD: Duration = Duration::from_millis(250);

/// The least wall time between two redraws.
const REDRAW: Duration = Duration::from_millis(33);

/// The key map used when the command line gives none: arrows and WASD on the buttons named
/// `up`, `down`, `left` and `right` (those the board has).
pub const DEFAULT_KEYS: [(&str, &str); 8] = [
    ("up", "up"),
    ("w", "up"),
    ("down", "down"),
    ("s", "down"),
    ("left", "left"),
    ("a", "left"),
    ("right", "right"),
    ("d", "right"),
];

/// A key the key map can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Up,
    Down,
    Left,
    Right,
    Space,
    Enter,
    /// A letter (lower case: `W` and `w` are one key) or a digit.
    Char(char),
}

impl Key {
    /// `up`, `down`, `left`, `right` (the arrow keys), `space`, `enter`, or one letter or digit.
    fn parse(name: &str) -> Option<Key> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "up" => Key::Up,
            "down" => Key::Down,
            "left" => Key::Left,
            "right" => Key::Right,
            "space" => Key::Space,
            "enter" => Key::Enter,
            _ => {
                let mut chars = lower.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_alphanumeric() && c != 'q' => Key::Char(c),
                    _ => return None,
                }
            }
        })
    }

    fn of(code: KeyCode) -> Option<Key> {
        Some(match code {
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Enter => Key::Enter,
            KeyCode::Char(' ') => Key::Space,
            KeyCode::Char(c) if c.is_ascii_alphanumeric() => Key::Char(c.to_ascii_lowercase()),
            _ => return None,
        })
    }
}

/// Which key presses which button part of the board.
pub(crate) struct KeyMap {
    keys: Vec<(Key, usize)>,
    buttons: Vec<(String, SimButton)>,
    /// Whether this is [`DEFAULT_KEYS`] (for the help line).
    default: bool,
}

impl KeyMap {
    /// The map of `bindings` (`KEY`, `BUTTON`: a key name as [`Key::parse`] takes, a button part
    /// of the board), or [`DEFAULT_KEYS`] for the buttons the board has when `bindings` is
    /// empty. A binding naming an unknown key or a button the board does not have is an error
    /// that names it and the board file.
    pub(crate) fn new(
        bindings: &[(String, String)],
        sim: &SimBoard,
        board_file: &Path,
    ) -> Result<KeyMap> {
        let mut map = KeyMap {
            keys: Vec::new(),
            buttons: Vec::new(),
            default: bindings.is_empty(),
        };
        let defaults: Vec<(String, String)>;
        let bindings = if bindings.is_empty() {
            defaults = DEFAULT_KEYS
                .iter()
                .filter(|(_, button)| sim.button(button).is_some())
                .map(|(k, b)| (k.to_string(), b.to_string()))
                .collect();
            &defaults
        } else {
            bindings
        };
        for (key_name, button_name) in bindings {
            let key = Key::parse(key_name).ok_or_else(|| {
                anyhow!(
                    "--key {key_name}={button_name}: `{key_name}` is not a key this view reads \
                     (up, down, left, right, space, enter, or one letter or digit other than q)"
                )
            })?;
            let Some(button) = sim.button(button_name) else {
                bail!(
                    "--key {key_name}={button_name}: the board {} has no button part \
                     `{button_name}` (a [[part]] with kind = \"button\")",
                    board_file.display()
                );
            };
            let index = match map.buttons.iter().position(|(n, _)| n == button_name) {
                Some(i) => i,
                None => {
                    map.buttons.push((button_name.clone(), button.clone()));
                    map.buttons.len() - 1
                }
            };
            map.keys.retain(|(k, _)| *k != key);
            map.keys.push((key, index));
        }
        Ok(map)
    }

    fn button_of(&self, key: Key) -> Option<usize> {
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, i)| *i)
    }

    /// What the keys do, for the status line.
    fn help(&self) -> String {
        if self.keys.is_empty() {
            "q quits".into()
        } else if self.default {
            "arrows/WASD move, q quits".into()
        } else {
            let mut help = String::new();
            for (key, index) in &self.keys {
                let name = match key {
                    Key::Up => "up".to_string(),
                    Key::Down => "down".into(),
                    Key::Left => "left".into(),
                    Key::Right => "right".into(),
                    Key::Space => "space".into(),
                    Key::Enter => "enter".into(),
                    Key::Char(c) => c.to_string(),
                };
                help.push_str(&format!("{name}={} ", self.buttons[*index].0));
            }
            help + "q quits"
        }
    }
}

/// Whether this process has the terminal in raw mode / on the alternate screen now.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// Gives the terminal back: main screen, cursor shown, raw mode off. Does nothing unless
/// [`TAKEN`]; safe to call twice (from the drop and the panic hook).
fn restore_terminal() {
    if TAKEN.swap(false, Ordering::SeqCst) {
        let mut out = std::io::stdout();
        // Cleared first: tmux, after a resize, can carry what the alternate screen showed
        // over to the normal screen.
        let _ = execute!(
            out,
            terminal::Clear(terminal::ClearType::All),
            terminal::Clear(terminal::ClearType::Purge),
            cursor::Show,
            terminal::LeaveAlternateScreen
        );
        let _ = terminal::disable_raw_mode();
    }
}

/// Installs, once per process, a panic hook that restores the terminal before the panic message
/// is printed.
fn restore_on_panic() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

/// The live view: see the module documentation.
pub(crate) struct Live {
    view: TerminalView<Stdout>,
    keys: Option<KeyMap>,
    stop: Arc<StopRequest>,
    /// Buttons held now, with when their key was last seen.
    held: Vec<(usize, Instant)>,
    last_draw: Option<Instant>,
}

impl Live {
    /// Takes the terminal, or `None` when stdout is not one.
    pub(crate) fn start(keys: KeyMap, stop: Arc<StopRequest>) -> Option<Live> {
        let stdout = std::io::stdout();
        if !stdout.is_terminal() {
            return None;
        }
        let (cols, rows) = terminal::size().unwrap_or((80, 24));
        let mut view = TerminalView::new(std::io::stdout(), Colors::from_env(), cols, rows);
        let interactive = std::io::stdin().is_terminal() && terminal::enable_raw_mode().is_ok();
        if interactive {
            restore_on_panic();
            TAKEN.store(true, Ordering::SeqCst);
            let _ = execute!(
                std::io::stdout(),
                terminal::EnterAlternateScreen,
                cursor::Hide
            );
            view.set_help(&keys.help());
        }
        Some(Live {
            view,
            keys: interactive.then_some(keys),
            stop,
            held: Vec::new(),
            last_draw: None,
        })
    }

    /// Reads the keys that came in and releases the buttons whose hold ran out.
    pub(crate) fn poll(&mut self) {
        let Some(keys) = &self.keys else {
            return;
        };
        while event::poll(Duration::ZERO).unwrap_or(false) {
            let Ok(event) = event::read() else { break };
            let Event::Key(KeyEvent {
                code,
                modifiers,
                kind,
                ..
            }) = event
            else {
                continue;
            };
            if kind == KeyEventKind::Release {
                continue;
            }
            if modifiers.contains(KeyModifiers::CONTROL) && code == KeyCode::Char('c') {
                self.stop.request(StopReason::Interrupt);
                continue;
            }
            if matches!(code, KeyCode::Char('q' | 'Q')) {
                self.stop.request(StopReason::Quit);
                continue;
            }
            let Some(index) = Key::of(code).and_then(|k| keys.button_of(k)) else {
                continue;
            };
            for (other, _) in self.held.iter().filter(|(i, _)| *i != index) {
                keys.buttons[*other].1.release();
            }
            self.held.retain(|(i, _)| *i == index);
            keys.buttons[index].1.press();
            match self.held.first_mut() {
                Some((_, seen)) => *seen = Instant::now(),
                None => self.held.push((index, Instant::now())),
            }
        }
        self.held.retain(|(index, seen)| {
            let keep = seen.elapsed() < HOLD;
            if !keep {
                keys.buttons[*index].1.release();
            }
            keep
        });
    }

    /// Redraws the displays, at most every 33 ms of wall time, fitted to the terminal's size now.
    pub(crate) fn draw(&mut self, displays: &[Display<'_>], now_ns: u64) {
        if self.last_draw.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.last_draw = Some(Instant::now());
        if let Ok((cols, rows)) = terminal::size()
            && (cols, rows) != self.view.size()
        {
            self.view.resize(cols, rows);
        }
        let _ = self.view.draw(displays, now_ns);
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(keys) = &self.keys {
            for (index, _) in self.held.drain(..) {
                keys.buttons[index].1.release();
            }
        }
        restore_terminal();
    }
}
