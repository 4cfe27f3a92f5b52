//! Debian's mosquitto for tests: a broker on 127.0.0.1 and a free port, with persistence in a
//! folder of its own, that can be stopped and started again on the same port. Installed by
//! `cargo xtask setup` (or `test`); `WASI_HAL_MOSQUITTO` names another binary.

#![allow(dead_code)]

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running (or stopped) mosquitto.
pub struct Mosquitto {
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("WASI_HAL_MOSQUITTO") {
        return path.into();
    }
    let path = PathBuf::from("/usr/sbin/mosquitto");
    assert!(
        path.exists(),
        "mosquitto is not installed (/usr/sbin/mosquitto): `cargo xtask setup` installs \
         Debian's mosquitto, or set WASI_HAL_MOSQUITTO"
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Mosquitto {
    /// A broker on a free port, not started yet.
    pub fn new(label: &str) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!(
            "wasi-hal-mosquitto-{label}-{}-{port}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Started as root, mosquitto drops to the `mosquitto` user, which must be able to
        // write its database and log here.
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
        std::fs::write(
            dir.join("mosquitto.conf"),
            format!(
                "listener {port} 127.0.0.1\n\
                 allow_anonymous true\n\
                 persistence true\n\
                 persistence_location {}/\n\
                 max_queued_messages 1000000\n\
                 log_dest file {}/mosquitto.log\n",
                dir.display(),
                dir.display()
            ),
        )
        .unwrap();
        Mosquitto {
            child: None,
            port,
            dir,
        }
    }

    /// A started broker on a free port.
    pub fn start_new(label: &str) -> Self {
        let mut broker = Mosquitto::new(label);
        broker.start();
        broker
    }

    /// `mqtt://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// Starts it and waits until it takes connections.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "mosquitto is already running");
        let child = Command::new(binary())
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start mosquitto");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("mosquitto exited with {status}: {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "mosquitto did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops it as a service manager would (SIGTERM: it saves its sessions and retained
    /// messages) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on our own child's pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            child.wait().unwrap();
        }
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("mosquitto.log")).unwrap_or_default()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
