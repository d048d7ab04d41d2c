//! Which RTT up channels to read: by number, or by the name the firmware gave them, with the
//! telemetry channel (and a defmt log channel beside it) found by name when none is asked for.

use std::fmt;
use std::str::FromStr;

use anyhow::{Result, bail};

use crate::channel::{Channel, ChannelKind, DEFMT_CHANNEL, TELEMETRY_CHANNEL};
use crate::record::ChannelId;

/// One `--channel N|NAME`.
///
/// ```
/// use ph_tap::probe::ChannelSelector;
/// assert_eq!("1".parse::<ChannelSelector>().unwrap(), ChannelSelector::Number(1));
/// assert_eq!("defmt".parse::<ChannelSelector>().unwrap(), ChannelSelector::Name("defmt".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelSelector {
    /// The up channel with this number.
    Number(ChannelId),
    /// The up channel with this name.
    Name(String),
}

impl FromStr for ChannelSelector {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text.parse() {
            Ok(number) => Self::Number(number),
            Err(_) => Self::Name(text.to_owned()),
        })
    }
}

impl fmt::Display for ChannelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Name(name) => write!(f, "'{name}'"),
        }
    }
}

/// The up channels to read, from what the target has (`(number, name)` of each up channel),
/// what was asked for (`wanted`: `--channel`, decoded by their name's kind, see
/// [`ChannelKind::from_name`]) and what is to be shown as text (`shown`: `--show-channel`).
///
/// With nothing wanted: the channel named [`TELEMETRY_CHANNEL`] (or the only one), and a channel
/// named [`DEFMT_CHANNEL`] beside it if the target has one. Sorted by number, each once; a
/// channel both wanted and shown is shown as text.
///
/// ```
/// use ph_tap::channel::ChannelKind;
/// use ph_tap::probe::{ChannelSelector, choose_channels};
/// let target = [(0, Some("defmt".to_owned())), (1, Some("ph-eventing".to_owned()))];
/// let ids = |chosen: Vec<ph_tap::channel::Channel>| chosen.iter().map(|c| (c.id, c.kind)).collect::<Vec<_>>();
/// assert_eq!(ids(choose_channels(&target, &[], &[]).unwrap()), [(0, ChannelKind::Defmt), (1, ChannelKind::PhEventing)]);
/// assert_eq!(ids(choose_channels(&target, &[ChannelSelector::Number(1)], &[]).unwrap()), [(1, ChannelKind::PhEventing)]);
/// assert_eq!(ids(choose_channels(&target, &[], &["defmt".parse().unwrap()]).unwrap()), [(0, ChannelKind::Text), (1, ChannelKind::PhEventing)]);
/// let err = choose_channels(&target, &["logs".parse().unwrap()], &[]).unwrap_err().to_string();
/// assert_eq!(err, "no RTT up channel 'logs': the target has 0 'defmt', 1 'ph-eventing'; pick with --channel N|NAME");
/// ```
pub fn choose_channels(
    target: &[(ChannelId, Option<String>)],
    wanted: &[ChannelSelector],
    shown: &[ChannelSelector],
) -> Result<Vec<Channel>> {
    if target.is_empty() {
        bail!(
            "the RTT control block has no up channel set up: has the firmware initialised its RTT channels? (try --reset)"
        );
    }
    let listed = || {
        target
            .iter()
            .map(|(n, name)| match name {
                Some(name) => format!("{n} '{name}'"),
                None => format!("{n} (no name)"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let find = |selector: &ChannelSelector| {
        target.iter().find(|(n, name)| match selector {
            ChannelSelector::Number(wanted) => n == wanted,
            ChannelSelector::Name(wanted) => name.as_deref() == Some(wanted.as_str()),
        })
    };
    let missing = |selector: &ChannelSelector, option: &str| {
        anyhow::anyhow!(
            "no RTT up channel {selector}: the target has {}; pick with {option} N|NAME",
            listed()
        )
    };
    let mut chosen: Vec<Channel> = Vec::new();
    let mut add = |(id, name): &(ChannelId, Option<String>), kind: Option<ChannelKind>| {
        let kind = kind.unwrap_or_else(|| ChannelKind::from_name(name.as_deref()));
        match chosen.iter_mut().find(|c| c.id == *id) {
            // Shown as text wins over decoded.
            Some(known) if kind == ChannelKind::Text => known.kind = kind,
            Some(_) => {}
            None => chosen.push(Channel {
                id: *id,
                name: name.clone(),
                kind,
            }),
        }
    };
    if wanted.is_empty() {
        let telemetry = ChannelSelector::Name(TELEMETRY_CHANNEL.to_owned());
        match (find(&telemetry), target) {
            (Some(channel), _) => {
                add(channel, None);
                if let Some(logs) = find(&ChannelSelector::Name(DEFMT_CHANNEL.to_owned())) {
                    add(logs, None);
                }
            }
            (None, [only]) => add(only, None),
            (None, _) if shown.is_empty() => bail!(
                "no RTT up channel named '{TELEMETRY_CHANNEL}', and the target has {}: pick one with --channel N|NAME",
                listed()
            ),
            // Only text channels asked for.
            (None, _) => {}
        }
    }
    for selector in wanted {
        add(
            find(selector).ok_or_else(|| missing(selector, "--channel"))?,
            None,
        );
    }
    for selector in shown {
        let channel = find(selector).ok_or_else(|| missing(selector, "--show-channel"))?;
        add(channel, Some(ChannelKind::Text));
    }
    chosen.sort_by_key(|c| c.id);
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(names: &[Option<&str>]) -> Vec<(ChannelId, Option<String>)> {
        names
            .iter()
            .enumerate()
            .map(|(n, name)| (n, name.map(str::to_owned)))
            .collect()
    }

    fn selectors(texts: &[&str]) -> Vec<ChannelSelector> {
        texts.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn chosen(
        target: &[(ChannelId, Option<String>)],
        wanted: &[&str],
        shown: &[&str],
    ) -> Result<Vec<(ChannelId, ChannelKind)>> {
        Ok(
            choose_channels(target, &selectors(wanted), &selectors(shown))?
                .into_iter()
                .map(|c| (c.id, c.kind))
                .collect(),
        )
    }

    #[test]
    fn the_only_channel_is_taken_whatever_its_name() {
        let telemetry = [(0, ChannelKind::PhEventing)];
        assert_eq!(
            chosen(&target(&[Some("Terminal")]), &[], &[]).unwrap(),
            telemetry
        );
        assert_eq!(chosen(&target(&[None]), &[], &[]).unwrap(), telemetry);
        // A defmt-only firmware: its one channel is its logs.
        assert_eq!(
            chosen(&target(&[Some("defmt")]), &[], &[]).unwrap(),
            [(0, ChannelKind::Defmt)]
        );
    }

    #[test]
    fn telemetry_and_defmt_are_found_by_name_in_any_order() {
        let t = target(&[Some("Terminal"), Some("ph-eventing"), Some("defmt")]);
        assert_eq!(
            chosen(&t, &[], &[]).unwrap(),
            [(1, ChannelKind::PhEventing), (2, ChannelKind::Defmt)]
        );
        let names = choose_channels(&t, &[], &[]).unwrap();
        assert_eq!(names[0].name.as_deref(), Some("ph-eventing"));
        // Without a telemetry channel, a defmt channel among others is not guessed.
        let err = chosen(&target(&[Some("defmt"), Some("Terminal")]), &[], &[]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("no RTT up channel named 'ph-eventing'")
        );
    }

    #[test]
    fn several_channels_without_telemetry_need_a_choice() {
        let err = chosen(&target(&[Some("Terminal"), None]), &[], &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "no RTT up channel named 'ph-eventing', and the target has 0 'Terminal', 1 (no name): pick one with --channel N|NAME"
        );
        // Showing one as text is a choice.
        assert_eq!(
            chosen(&target(&[Some("Terminal"), None]), &[], &["Terminal"]).unwrap(),
            [(0, ChannelKind::Text)]
        );
    }

    #[test]
    fn numbers_and_names_mix_and_repeat() {
        let t = target(&[Some("defmt"), Some("ph-eventing"), Some("text")]);
        assert_eq!(
            chosen(&t, &["text", "0", "defmt"], &[]).unwrap(),
            [(0, ChannelKind::Defmt), (2, ChannelKind::PhEventing)]
        );
        let err = chosen(&t, &["5"], &[]).unwrap_err().to_string();
        assert_eq!(
            err,
            "no RTT up channel 5: the target has 0 'defmt', 1 'ph-eventing', 2 'text'; pick with --channel N|NAME"
        );
    }

    #[test]
    fn shown_channels_are_text_and_added_to_the_default() {
        let t = target(&[Some("defmt"), Some("ph-eventing"), Some("Terminal")]);
        assert_eq!(
            chosen(&t, &[], &["Terminal"]).unwrap(),
            [
                (0, ChannelKind::Defmt),
                (1, ChannelKind::PhEventing),
                (2, ChannelKind::Text)
            ]
        );
        assert_eq!(
            chosen(&t, &["1"], &["defmt"]).unwrap(),
            [(0, ChannelKind::Text), (1, ChannelKind::PhEventing)]
        );
        let err = chosen(&t, &[], &["logs"]).unwrap_err().to_string();
        assert_eq!(
            err,
            "no RTT up channel 'logs': the target has 0 'defmt', 1 'ph-eventing', 2 'Terminal'; pick with --show-channel N|NAME"
        );
    }

    #[test]
    fn no_up_channel_at_all() {
        let err = choose_channels(&[], &[], &[]).unwrap_err().to_string();
        assert!(
            err.starts_with("the RTT control block has no up channel set up"),
            "{err}"
        );
    }
}
