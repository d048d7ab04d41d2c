//! A network fault between a client and its server, for the MQTT tests: a TCP proxy on
//! 127.0.0.1 that forwards both ways until asked to [`hold`](AckProxy::hold) what the server
//! sends (it is read and thrown away, so the client hears nothing: no PUBACK, no PUBREC), then
//! to [`cut`](AckProxy::cut) every connection. New connections are forwarded as before. What the
//! client sent meanwhile reached the server; the client, never told, sends it again when it
//! connects again.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the pumps and the accept loop share.
#[derive(Default)]
struct Shared {
    /// Throw away what the server sends, instead of forwarding it.
    holding: AtomicBool,
    /// Both sockets of every connection made so far, to cut them.
    open: Mutex<Vec<TcpStream>>,
}

/// The proxy; it serves until the test ends.
pub struct AckProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl AckProxy {
    /// Forwards connections made to the proxy to `upstream`.
    pub fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared::default());
        let accepting = Arc::clone(&shared);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                {
                    let mut open = accepting.open.lock().unwrap();
                    open.push(client.try_clone().unwrap());
                    open.push(server.try_clone().unwrap());
                }
                pump(
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    None,
                );
                pump(server, client, Some(Arc::clone(&accepting)));
            }
        });
        Self { addr, shared }
    }

    /// Where the client connects.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// From now on, what the server sends is thrown away.
    pub fn hold(&self) {
        self.shared.holding.store(true, Ordering::SeqCst);
    }

    /// Closes every connection made so far (what was held is never delivered), and forwards
    /// both ways again for the connections that follow.
    pub fn cut(&self) {
        for stream in self.shared.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
        self.shared.holding.store(false, Ordering::SeqCst);
    }
}

/// Copies `from` to `to` on a thread until either closes; with `hold`, throws the bytes away
/// while it says so.
fn pump(mut from: TcpStream, mut to: TcpStream, hold: Option<Arc<Shared>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if hold
                .as_ref()
                .is_some_and(|s| s.holding.load(Ordering::SeqCst))
            {
                continue;
            }
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}
