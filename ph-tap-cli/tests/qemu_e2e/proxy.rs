//! An "unplug" between ph-tap and a GDB server: a TCP proxy on 127.0.0.1 that forwards
//! everything and, when asked, cuts every connection and refuses new ones for a while (its
//! listening socket is closed), then listens again on the same port.
//!
//! The cut is made when the client starts anything after resuming the target (`$c`) that
//! followed a memory write (`$M`): probe-rs's RTT read ends by writing the channel's read pointer
//! and ph-tap's GDB probe resumes the target after each access, so at that moment the read is
//! complete on both sides, no bytes are half-way between the target and ph-tap, and the target
//! runs on. What it produces while
//! ph-tap is away is then exactly what its own counters say it lost.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the pumps and the accept loop share.
#[derive(Default)]
struct Shared {
    /// Cut at the next resume that follows a memory write.
    armed: AtomicBool,
    /// Memory-read packets (`$m`) the client sent.
    reads: AtomicU64,
    open: Mutex<Vec<TcpStream>>,
}

/// The proxy; dropping it stops it.
pub(crate) struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Told when a cut was made; the accept loop then stays closed for the duration.
    cut_made: mpsc::Receiver<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    away: Arc<Mutex<Duration>>,
}

impl Proxy {
    /// Forwards connections made to the proxy to `upstream`.
    pub(crate) fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared::default());
        let (cut_tx, cut_made) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let away = Arc::new(Mutex::new(Duration::ZERO));
        let thread = {
            let (shared, stop, away) = (Arc::clone(&shared), Arc::clone(&stop), Arc::clone(&away));
            std::thread::spawn(move || serve(listener, upstream, &shared, &cut_tx, &stop, &away))
        };
        Self {
            addr,
            shared,
            cut_made,
            stop,
            thread: Some(thread),
            away,
        }
    }

    /// Where to connect.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Memory reads (`m` packets) forwarded so far.
    pub(crate) fn reads(&self) -> u64 {
        self.shared.reads.load(Ordering::Relaxed)
    }

    /// Cuts every connection at the next resume after a memory write and refuses new ones for
    /// `away`; returns once the cut is made.
    pub(crate) fn cut_for(&self, away: Duration) {
        *self.away.lock().unwrap() = away;
        self.shared.armed.store(true, Ordering::SeqCst);
        self.cut_made
            .recv_timeout(Duration::from_secs(30))
            .expect("a memory write and a resume to cut after");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    listener: TcpListener,
    upstream: SocketAddr,
    shared: &Arc<Shared>,
    cut_made: &mpsc::Sender<()>,
    stop: &AtomicBool,
    away: &Mutex<Duration>,
) {
    let addr = listener.local_addr().expect("proxy address");
    listener.set_nonblocking(true).expect("non-blocking accept");
    let mut listener = Some(listener);
    let (cut_tx, cut_rx) = mpsc::channel::<()>();
    while !stop.load(Ordering::Relaxed) {
        if cut_rx.try_recv().is_ok() {
            // The pump already shut the connections; now refuse new ones for a while.
            drop(listener.take());
            let _ = cut_made.send(());
            std::thread::sleep(*away.lock().unwrap());
            // std sets SO_REUSEADDR on Unix listeners, so the port can be taken again at once.
            let again = TcpListener::bind(addr).expect("listen on the proxy port again");
            again.set_nonblocking(true).expect("non-blocking accept");
            listener = Some(again);
        }
        let Some(l) = &listener else { continue };
        match l.accept() {
            Ok((client, _)) => {
                client.set_nonblocking(false).expect("blocking client");
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                {
                    let mut open = shared.open.lock().unwrap();
                    open.push(client.try_clone().expect("clone"));
                    open.push(server.try_clone().expect("clone"));
                }
                let to_server = (
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                );
                let shared_up = Arc::clone(shared);
                let cut = cut_tx.clone();
                std::thread::spawn(move || {
                    client_to_server(to_server.0, to_server.1, &shared_up, &cut);
                });
                std::thread::spawn(move || server_to_client(server, client));
            }
            Err(err) if err.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    cut_all(shared);
}

fn cut_all(shared: &Shared) {
    for stream in shared.open.lock().unwrap().drain(..) {
        let _ = stream.shutdown(Shutdown::Both);
    }
}

/// Forwards the client's bytes, noting the command letter of each packet. When a cut is armed
/// and the client has resumed the target (`c`) after a memory write (`M`), the next bytes the
/// client sends are not forwarded: the cut is made there. The read that ended with that write is
/// then complete on both sides, and the one the client begins never reaches the target.
fn client_to_server(
    mut from: TcpStream,
    mut to: TcpStream,
    shared: &Shared,
    cut: &mpsc::Sender<()>,
) {
    let mut buf = [0u8; 4096];
    let mut after_dollar = false;
    let mut previous = 0u8;
    let mut read_complete = false;
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        if read_complete && shared.armed.swap(false, Ordering::SeqCst) {
            cut_all(shared);
            let _ = cut.send(());
            break;
        }
        for &b in &buf[..n] {
            if after_dollar {
                read_complete = b == b'c' && previous == b'M';
                if b == b'm' {
                    shared.reads.fetch_add(1, Ordering::Relaxed);
                }
                previous = b;
            }
            after_dollar = b == b'$';
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}

/// Forwards the server's bytes.
fn server_to_client(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}
