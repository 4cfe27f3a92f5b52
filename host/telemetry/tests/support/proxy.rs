//! A TCP proxy between a client and the broker that can swallow what the client sends and
//! then cut the connection, while the broker stays up: what was in flight never arrives.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A running proxy to `127.0.0.1:<to>`.
pub struct Proxy {
    /// Its port on 127.0.0.1.
    pub port: u16,
    swallow: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free port and forwards each connection to `to`.
    pub async fn start(to: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let swallow = Arc::new(AtomicBool::new(false));
        let (cut, cut_rx) = watch::channel(0);
        let swallow_in = swallow.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(broker) = TcpStream::connect(("127.0.0.1", to)).await else {
                    continue;
                };
                tokio::spawn(forward(client, broker, swallow_in.clone(), cut_rx.clone()));
            }
        });
        Proxy {
            port,
            swallow,
            cut,
            task,
        }
    }

    /// From now on, what clients send is read and thrown away.
    pub fn swallow(&self) {
        self.swallow.store(true, Ordering::SeqCst);
    }

    /// Closes every connection and forwards again (new connections go through).
    pub fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
        self.swallow.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(
    client: TcpStream,
    broker: TcpStream,
    swallow: Arc<AtomicBool>,
    mut cut: watch::Receiver<u64>,
) {
    cut.mark_unchanged();
    let (mut client_read, mut client_write) = client.into_split();
    let (mut broker_read, mut broker_write) = broker.into_split();
    let up = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = client_read.read(&mut buf).await?;
            if n == 0 {
                return Ok::<(), std::io::Error>(());
            }
            if !swallow.load(Ordering::SeqCst) {
                broker_write.write_all(&buf[..n]).await?;
            }
        }
    };
    let down = tokio::io::copy(&mut broker_read, &mut client_write);
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cut.changed() => {}
    }
}
