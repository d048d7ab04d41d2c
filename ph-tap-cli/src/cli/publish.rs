//! `--publish URL` and the MQTT options `attach`, `run` and `demo` share.

use std::path::PathBuf;

use clap::Args;

use ph_tap::board::Board;
use ph_tap::mqtt::{
    DEFAULT_BUFFER, MqttPublisher, MqttUrl, PublishOptions, PublishQos, parse_size,
};

/// Publishing a board's telemetry to an MQTT broker.
#[derive(Debug, Args, Clone)]
pub struct PublishArgs {
    /// Also publish the telemetry to an MQTT broker: its raw wire bytes, whole frames per
    /// message and in order, to PREFIX/<board>/wire (QoS 2), the board named by --board
    /// (`board` without it; with several boards, each under its own name, through its own
    /// connection). `mqtts://` for TLS. Read it back
    /// with `ph-tap attach --mqtt URL/PREFIX/+`.
    #[arg(long, value_name = "mqtt[s]://[USER[:PASS]@]HOST[:PORT]/PREFIX")]
    pub publish: Option<String>,
    /// With --publish: also publish each record as its JSON line (as `--format json` writes
    /// it) to PREFIX/<board>/records.
    #[arg(long, requires = "publish")]
    pub publish_records: bool,
    /// With --publish: what is kept for the broker while it is away (bytes not yet
    /// acknowledged); what does not fit is dropped whole, counted, and a LINK LOSS at the far
    /// end.
    #[arg(long, value_name = "SIZE", default_value = DEFAULT_BUFFER, requires = "publish")]
    pub publish_buffer: String,
    /// With --publish: the messages' QoS. 2 (the default) delivers each message once, also
    /// when this publisher connects again while the broker stays up; 1 saves a round trip
    /// per message, but such a reconnect then delivers again what the broker had not yet
    /// acknowledged, which the far end reads as a target reset.
    #[arg(long, value_name = "1|2", default_value = "2", requires = "publish")]
    pub publish_qos: PublishQos,
    /// The CA certificate (PEM) that signed the broker's, for `mqtts://` (without it: the
    /// system's trusted CAs).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
}

/// The topic level of a board published without `--board`.
pub const DEFAULT_BOARD: &str = "board";

impl PublishArgs {
    /// The publisher's options, checked before anything is opened: `None` without
    /// `--publish`. `board` (`--board`) is the topic level, [`DEFAULT_BOARD`] without it.
    pub fn options(&self, board: Option<&Board>) -> anyhow::Result<Option<PublishOptions>> {
        let Some(url) = &self.publish else {
            return Ok(None);
        };
        let url = MqttUrl::parse(url).map_err(|e| e.context("--publish"))?;
        url.publish_prefix()?;
        let board = board.map_or(DEFAULT_BOARD, Board::as_str);
        ph_tap::mqtt::check_board(board)?;
        let buffer = parse_size(&self.publish_buffer)
            .map_err(|e| anyhow::anyhow!("--publish-buffer: {e}"))?;
        Ok(Some(PublishOptions {
            url,
            ca: self.ca.clone(),
            board: board.to_owned(),
            records: self.publish_records,
            buffer,
            qos: self.publish_qos,
        }))
    }

    /// The publisher, connected (a broker's refusal is the error, before anything else is
    /// opened): `None` without `--publish`.
    pub fn connect(&self, board: Option<&Board>) -> anyhow::Result<Option<MqttPublisher>> {
        self.options(board)?.map(MqttPublisher::connect).transpose()
    }
}
