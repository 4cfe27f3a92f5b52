//! `wasi-hal status`: one HTTP/1.1 `GET /status` to a running device's loopback address.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The largest answer read (1 MiB): a status is a few KiB.
const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// The body of `GET /status` at `addr` (JSON), or an error saying why there is none.
pub fn get_status(addr: SocketAddr) -> Result<String> {
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).with_context(|| {
        format!("no device answers on {addr} (is `wasi-hal up` running with --status {addr}?)")
    })?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /status HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut answer)
        .with_context(|| format!("cannot read the answer of {addr}"))?;
    if answer.len() as u64 > MAX_ANSWER_BYTES {
        bail!("the answer of {addr} is larger than {MAX_ANSWER_BYTES} bytes");
    }
    let text = String::from_utf8(answer).context("the answer is not UTF-8")?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .with_context(|| format!("{addr} did not answer in HTTP"))?;
    let status_line = head.lines().next().unwrap_or_default();
    if status_line.split_whitespace().nth(1) != Some("200") {
        bail!("{addr} answered `{status_line}`");
    }
    if head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    }) {
        bail!("{addr} answered in chunks, which this client does not read");
    }
    Ok(body.to_owned())
}
