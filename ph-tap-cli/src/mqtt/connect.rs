//! Connecting to the broker: the `rumqttc` options (client id, keep-alive, session, login,
//! TLS), the first connection made before anything streams, and every connection failure as
//! one line that says what to fix.

use std::error::Error as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow};
use rumqttc::{
    Client, ConnAck, ConnectReturnCode, Connection, ConnectionError, Event, MqttOptions, Packet,
    Transport,
};

use super::MqttUrl;

/// How often the client pings a quiet broker; a broker gone is noticed within 1.5 times this
/// when the connection is not closed outright.
pub const KEEP_ALIVE: Duration = Duration::from_secs(10);
/// How long connecting (TCP, TLS, CONNECT/CONNACK) may take, in seconds.
pub const CONNECT_TIMEOUT_S: u64 = 5;
/// The largest MQTT packet sent or taken, in bytes (rumqttc's default is 10 KiB).
pub const MAX_PACKET: usize = 1 << 20;
/// Messages sent and not yet completely acknowledged, at most (rumqttc's default). rumqttc
/// numbers its messages `1..=INFLIGHT` over and over; the publisher keeps, per number, when it
/// was last sent, to send again in that order after a reconnect.
pub const INFLIGHT: u16 = 100;
/// How long to wait before connecting again after the broker went away.
pub const RETRY: Duration = Duration::from_millis(250);

/// A client id unique to this run and `role` (`pub`, `sub`): the process id, the start time
/// and a counter. The same id is kept across reconnects, so that the broker resumes the
/// session (`clean_session` false): unacknowledged messages are sent again, and a
/// subscriber's queued messages are delivered.
///
/// ```
/// let a = ph_tap::mqtt::client_id("pub");
/// assert!(a.starts_with("ph-tap-pub-"));
/// assert_ne!(a, ph_tap::mqtt::client_id("pub"));
/// ```
pub fn client_id(role: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("ph-tap-{role}-{}-{started:x}-{n}", std::process::id())
}

/// The client options for `url`: its login, TLS (trusting `ca`, or the system's CAs), a
/// persistent session under a fresh [`client_id`], [`KEEP_ALIVE`], and room for `requests`
/// requests queued before the client blocks (ph-tap never lets it: `try_publish`).
pub fn options(
    url: &MqttUrl,
    ca: Option<&Path>,
    role: &str,
    requests: usize,
) -> Result<MqttOptions> {
    let mut options = MqttOptions::new(client_id(role), url.host.clone(), url.port);
    options
        .set_keep_alive(KEEP_ALIVE)
        .set_clean_session(false)
        .set_max_packet_size(MAX_PACKET, MAX_PACKET)
        .set_request_channel_capacity(requests.max(1))
        .set_inflight(INFLIGHT);
    if let Some(user) = &url.user {
        options.set_credentials(user.clone(), url.password.clone().unwrap_or_default());
    }
    if url.tls {
        let config = super::tls::client_config(ca)?;
        options.set_transport(Transport::tls_with_config(
            rumqttc::TlsConfiguration::Rustls(config),
        ));
    } else if let Some(ca) = ca {
        anyhow::bail!(
            "--ca {} is for TLS: give an mqtts:// URL (port 8883 by default), or leave out --ca",
            ca.display()
        );
    }
    Ok(options)
}

/// Opens the client and makes its first connection, waiting for the broker's CONNACK: a broker
/// that cannot be reached or refuses is the error, before anything streams.
pub fn open(
    url: &MqttUrl,
    ca: Option<&Path>,
    role: &str,
    requests: usize,
) -> Result<(Client, Connection, ConnAck)> {
    let options = options(url, ca, role, requests)?;
    let (client, mut connection) = Client::new(options, requests.max(1));
    let mut network = connection.eventloop.network_options();
    network.set_connection_timeout(CONNECT_TIMEOUT_S);
    network.set_tcp_nodelay(true);
    connection.eventloop.set_network_options(network);
    loop {
        match connection.recv() {
            Ok(Ok(Event::Incoming(Packet::ConnAck(connack)))) => {
                return Ok((client, connection, connack));
            }
            Ok(Ok(_)) => {}
            Ok(Err(err)) => return Err(anyhow!(explain(&err, url, ca.is_some()))),
            Err(_) => {
                return Err(anyhow!(
                    "the MQTT client stopped before connecting to {url}"
                ));
            }
        }
    }
}

/// A connection failure as one line that says what to fix.
pub fn explain(err: &ConnectionError, url: &MqttUrl, ca_given: bool) -> String {
    let at = url.address();
    match err {
        ConnectionError::ConnectionRefused(
            ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized,
        ) if url.user.is_none() => format!(
            "the broker at {at} refused to connect without a login: give USER:PASS in the URL, e.g. mqtt://USER:PASS@{at}/..."
        ),
        ConnectionError::ConnectionRefused(ConnectReturnCode::BadUserNamePassword) => format!(
            "the broker at {at} refused the login of '{}': check USER:PASS in the URL",
            url.user.as_deref().unwrap_or_default()
        ),
        ConnectionError::ConnectionRefused(ConnectReturnCode::NotAuthorized) => format!(
            "the broker at {at} refused '{}' (not authorised): check USER:PASS in the URL, and that the broker's ACL lets this user in",
            url.user.as_deref().unwrap_or_default()
        ),
        ConnectionError::ConnectionRefused(code) => {
            format!("the broker at {at} refused to connect ({code:?}): check the broker's log")
        }
        ConnectionError::NetworkTimeout => format!(
            "no answer from the broker at {at} within {CONNECT_TIMEOUT_S} s: is mosquitto running on {at}{}?",
            if url.tls { " with TLS" } else { "" }
        ),
        _ => {
            if let Some(tls) = find_tls_error(err) {
                return explain_tls(&tls, url, ca_given);
            }
            let text = chain_text(err);
            if let Some(io) = find_io_error(err) {
                use std::io::ErrorKind::*;
                if url.tls && matches!(io.kind(), ConnectionReset | UnexpectedEof) {
                    return format!(
                        "the broker at {at} closed the TLS connection: is it a TLS listener (mqtts://, port 8883 by default)? ({text})"
                    );
                }
                if matches!(
                    io.kind(),
                    ConnectionRefused
                        | ConnectionReset
                        | UnexpectedEof
                        | NotFound
                        | AddrNotAvailable
                ) || text.contains("lookup")
                {
                    return format!(
                        "the broker at {at} is not reachable: is mosquitto running on {at}? ({text})"
                    );
                }
            }
            if url.tls && text.contains("eof") {
                return format!(
                    "the broker at {at} closed the TLS connection: is it a TLS listener (mqtts://)? ({text})"
                );
            }
            format!("cannot connect to the broker at {at}: {text}")
        }
    }
}

/// A rustls error as one line.
fn explain_tls(err: &rustls::Error, url: &MqttUrl, ca_given: bool) -> String {
    use rustls::CertificateError;
    let at = url.address();
    match err {
        rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer | CertificateError::BadSignature,
        ) if ca_given => format!(
            "the certificate of the broker at {at} is not signed by the --ca given: give the CA that signed the broker's certificate"
        ),
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
            "the certificate of the broker at {at} is not trusted: give the broker's CA with --ca FILE"
        ),
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "the certificate of the broker at {at} is not for '{}': connect by the name (or address) in its certificate",
            url.host
        ),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => {
            format!("the certificate of the broker at {at} has expired: renew it on the broker")
        }
        rustls::Error::InvalidCertificate(other) => format!(
            "the certificate of the broker at {at} is refused ({other:?}): check the broker's certificate and --ca"
        ),
        other => format!(
            "TLS with the broker at {at} failed ({other}): is it a TLS listener (mqtts://), and is --ca its CA?"
        ),
    }
}

/// The rustls error somewhere in `err`'s sources (inside an I/O error, as tokio-rustls gives
/// it), if any.
fn find_tls_error(err: &ConnectionError) -> Option<rustls::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls.clone());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(tls) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(tls.clone());
        }
        if let Some(tls) = e.downcast_ref::<rumqttc::TlsError>()
            && let rumqttc::TlsError::TLS(tls) = tls
        {
            return Some(tls.clone());
        }
        source = e.source();
    }
    None
}

/// The I/O error somewhere in `err`'s sources, if any.
fn find_io_error(err: &ConnectionError) -> Option<&std::io::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = e.source();
    }
    None
}

/// `err` and its sources, lower case, on one line.
fn chain_text(err: &ConnectionError) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ").replace('\n', " ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_nobody_listens_on_is_not_reachable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = MqttUrl::parse(&format!("mqtt://127.0.0.1:{port}/t")).unwrap();
        let Err(err) = open(&url, None, "test", 10) else {
            panic!("connected to nobody")
        };
        assert_eq!(
            err.to_string().split(" (").next().unwrap(),
            format!(
                "the broker at 127.0.0.1:{port} is not reachable: is mosquitto running on 127.0.0.1:{port}?"
            )
        );
    }

    #[test]
    fn a_ca_without_tls_is_refused() {
        let url = MqttUrl::parse("mqtt://127.0.0.1/t").unwrap();
        let Err(err) = options(&url, Some(Path::new("ca.pem")), "test", 10) else {
            panic!("--ca without TLS taken")
        };
        assert!(
            err.to_string()
                .starts_with("--ca ca.pem is for TLS: give an mqtts:// URL"),
            "{err}"
        );
    }
}
