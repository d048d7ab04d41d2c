//! `--tcp HOST:PORT`: an RTT TCP server (OpenOCD `rtt server`, J-Link's RTT telnet port,
//! QEMU's serial socket) as a [`Source`].

use std::io::{ErrorKind, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};

use super::{Poll, Source};

/// How long one read waits before reporting [`Poll::Idle`].
const READ_TIMEOUT: Duration = Duration::from_millis(100);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connected TCP stream.
pub struct TcpSource {
    stream: TcpStream,
    peer: String,
}

impl TcpSource {
    /// Connects to `addr` (`HOST:PORT`).
    pub fn connect(addr: &str) -> Result<Self> {
        let targets: Vec<_> = addr
            .to_socket_addrs()
            .with_context(|| {
                format!("cannot resolve --tcp '{addr}': use HOST:PORT, e.g. localhost:19021")
            })?
            .collect();
        let mut last_err = None;
        for target in &targets {
            match TcpStream::connect_timeout(target, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(READ_TIMEOUT))
                        .context("cannot set a read timeout on the TCP connection")?;
                    return Ok(Self {
                        stream,
                        peer: addr.to_owned(),
                    });
                }
                Err(err) => last_err = Some(err),
            }
        }
        let err = last_err.map_or_else(|| anyhow!("no address found"), anyhow::Error::new);
        Err(err).with_context(|| {
            format!("cannot connect to {addr}: is the RTT server (OpenOCD `rtt server start`, J-Link, QEMU) running on that port?")
        })
    }
}

impl Source for TcpSource {
    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        match self.stream.read(buf) {
            Ok(0) => Ok(Poll::End),
            Ok(n) => Ok(Poll::data(n)),
            Err(err)
                if matches!(
                    err.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                Ok(Poll::Idle)
            }
            Err(err) => Err(err).with_context(|| format!("connection to {} lost", self.peer)),
        }
    }
}
