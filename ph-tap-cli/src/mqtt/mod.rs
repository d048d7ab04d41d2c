//! MQTT: publishing a board's telemetry to a broker (`--publish`, [`MqttPublisher`]) and
//! reading boards from one (`attach --mqtt`, [`Subscriber`]), through `rumqttc`, with TLS by
//! rustls (`mqtts://`, `--ca FILE`).
//!
//! # Topics
//!
//! - `PREFIX/<board>/wire`: the board's telemetry channel as its raw wire bytes, in order,
//!   QoS 2 ([`PublishQos`]), each message whole frames ([`FrameBatcher`]): a message lost
//!   anywhere is whole frames, which the far end accounts as a LINK LOSS, as a frame lost on a
//!   probe's link.
//! - `PREFIX/<board>/records` (`--publish-records`): each decoded record as the JSON line
//!   `--format json` writes, one per message.
//!
//! # Sessions
//!
//! Every client has an id of its own for the run ([`client_id`]) and a persistent session
//! (`clean_session` false): across a reconnect the publisher's unacknowledged messages are
//! sent again and the subscriber's queued ones delivered.
//!
//! A message sent again must not arrive twice: the far end would read the old sequence numbers
//! as a target reset and count a LINK LOSS of everything before them. At QoS 2 the broker knows
//! a message the publisher sends again after a reconnect (its packet id is in the session) and
//! delivers it once; at QoS 1 (`--publish-qos 1`, one round trip less per message) it cannot,
//! and a publisher's reconnect while the broker stays up delivers again what was not yet
//! acknowledged. A subscriber's own reconnect can repeat a message at either QoS: it drops an
//! exact repeat of a recent message of the same board.

mod connect;
mod frames;
mod publish;
mod send_order;
mod size;
mod subscribe;

mod tls;
mod url;

pub use connect::{
    CONNECT_TIMEOUT_S, INFLIGHT, KEEP_ALIVE, MAX_PACKET, RETRY, client_id, explain, open, options,
};
pub use frames::{FrameBatcher, MAX_MESSAGE, Message, values_in};
pub use publish::{FLUSH_TIMEOUT, MqttPublisher, PublishOptions, PublishQos};
pub use size::{DEFAULT_BUFFER, parse_size, show_size};
pub use subscribe::{BOARD_QUEUE, BoardSource, Delivery, MAX_BOARDS, NewBoard, Subscriber};

pub use tls::client_config;
pub use url::{MQTT_PORT, MQTTS_PORT, MqttUrl};

/// Checks a board's name as a topic level: not empty, none of `/`, `+`, `#`, no whitespace or
/// control characters.
///
/// ```
/// assert!(ph_tap::mqtt::check_board("bench-1").is_ok());
/// assert!(ph_tap::mqtt::check_board("a/b").is_err());
/// ```
pub fn check_board(name: &str) -> anyhow::Result<()> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| matches!(c, '/' | '+' | '#') || c.is_whitespace() || c.is_control())
    {
        anyhow::bail!(
            "board name {name:?} cannot be an MQTT topic level: use letters, digits, '-', '_' or '.'"
        );
    }
    Ok(())
}
