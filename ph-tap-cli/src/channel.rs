//! What a channel carries: ph-eventing telemetry, defmt logs or plain text, decided once when
//! the channel is chosen (by its RTT name, or by what a capture file says) and kept with it.

use std::fmt;

use crate::record::ChannelId;

/// The name ph-eventing firmware gives its telemetry channel (`firmware-demo` does).
pub const TELEMETRY_CHANNEL: &str = "ph-eventing";

/// The name defmt firmware gives its log channel (`rtt-target`'s and `defmt-rtt`'s default).
pub const DEFMT_CHANNEL: &str = "defmt";

/// How a channel's bytes are decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    /// ph-eventing wire frames: values and loss accounting.
    #[default]
    PhEventing,
    /// defmt log frames, decoded with the firmware ELF's `.defmt` table.
    Defmt,
    /// Text, shown line by line (`--show-channel`).
    Text,
}

impl ChannelKind {
    /// The kind a channel named `name` carries when it was picked without saying how to show
    /// it: `defmt` logs for a channel named [`DEFMT_CHANNEL`], telemetry otherwise.
    ///
    /// ```
    /// use ph_tap::channel::ChannelKind;
    /// assert_eq!(ChannelKind::from_name(Some("defmt")), ChannelKind::Defmt);
    /// assert_eq!(ChannelKind::from_name(Some("ph-eventing")), ChannelKind::PhEventing);
    /// assert_eq!(ChannelKind::from_name(None), ChannelKind::PhEventing);
    /// ```
    pub fn from_name(name: Option<&str>) -> Self {
        match name {
            Some(DEFMT_CHANNEL) => Self::Defmt,
            _ => Self::PhEventing,
        }
    }

    /// The kind's name in capture files and JSON output: `ph-eventing`, `defmt`, `text`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PhEventing => "ph-eventing",
            Self::Defmt => "defmt",
            Self::Text => "text",
        }
    }

    /// The kind named `name` (what [`as_str`](Self::as_str) gives).
    ///
    /// ```
    /// use ph_tap::channel::ChannelKind;
    /// for kind in [ChannelKind::PhEventing, ChannelKind::Defmt, ChannelKind::Text] {
    ///     assert_eq!(ChannelKind::parse(kind.as_str()), Some(kind));
    /// }
    /// assert_eq!(ChannelKind::parse("morse"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        [Self::PhEventing, Self::Defmt, Self::Text]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One channel a source yields: its number, the name the target gave it, and what it carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Channel {
    /// Its number (the RTT up channel number; `0` for single-stream sources).
    pub id: ChannelId,
    /// The name the target gave it, if any.
    pub name: Option<String>,
    /// How its bytes are decoded.
    pub kind: ChannelKind,
}

impl Channel {
    /// The one channel of a single-stream source (TCP, a raw capture, a pipe, the demo):
    /// telemetry on channel 0, no name.
    ///
    /// ```
    /// use ph_tap::channel::{Channel, ChannelKind};
    /// assert_eq!(Channel::telemetry().kind, ChannelKind::PhEventing);
    /// assert_eq!(Channel::telemetry().id, 0);
    /// ```
    pub fn telemetry() -> Self {
        Self {
            id: 0,
            name: None,
            kind: ChannelKind::PhEventing,
        }
    }

    /// `id`, or `id 'name'` when it has a name: how messages name the channel.
    ///
    /// ```
    /// use ph_tap::channel::{Channel, ChannelKind};
    /// let ch = Channel { id: 1, name: Some("ph-eventing".into()), kind: ChannelKind::PhEventing };
    /// assert_eq!(ch.label(), "1 'ph-eventing'");
    /// assert_eq!(Channel::telemetry().label(), "0");
    /// ```
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{} '{name}'", self.id),
            None => self.id.to_string(),
        }
    }
}

/// `up channel 1 'ph-eventing'` / `up channels 0 'defmt', 1 'ph-eventing'`: what is read, for
/// the line that says a target was attached.
///
/// ```
/// use ph_tap::channel::{Channel, ChannelKind, up_channels};
/// let defmt = Channel { id: 0, name: Some("defmt".into()), kind: ChannelKind::Defmt };
/// let telemetry = Channel { id: 1, name: Some("ph-eventing".into()), kind: ChannelKind::PhEventing };
/// assert_eq!(up_channels(&[telemetry.clone()]), "up channel 1 'ph-eventing'");
/// assert_eq!(up_channels(&[defmt, telemetry]), "up channels 0 'defmt', 1 'ph-eventing'");
/// ```
pub fn up_channels(channels: &[Channel]) -> String {
    let listed: Vec<String> = channels.iter().map(Channel::label).collect();
    let s = if listed.len() == 1 { "" } else { "s" };
    format!("up channel{s} {}", listed.join(", "))
}
