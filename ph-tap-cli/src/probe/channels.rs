//! Which RTT up channels to read: by number, or by the name the firmware gave them, with the
//! telemetry channel found by its name when none is asked for.

use std::fmt;
use std::str::FromStr;

use anyhow::{Result, bail};

use crate::record::ChannelId;

/// The name ph-eventing firmware gives its telemetry channel (`firmware-demo` does).
pub const TELEMETRY_CHANNEL: &str = "ph-eventing";

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

/// The up channels to read, as numbers, from what the target has (`(number, name)` of each up
/// channel) and what was asked for (`wanted`, in any order; empty: the channel named
/// [`TELEMETRY_CHANNEL`], or the only one). Sorted, each once.
///
/// ```
/// use ph_tap::probe::{ChannelSelector, choose_channels};
/// let target = [(0, Some("defmt".to_owned())), (1, Some("ph-eventing".to_owned()))];
/// assert_eq!(choose_channels(&target, &[]).unwrap(), [1]);
/// assert_eq!(choose_channels(&target, &["defmt".parse().unwrap(), ChannelSelector::Number(1)]).unwrap(), [0, 1]);
/// let err = choose_channels(&target, &["logs".parse().unwrap()]).unwrap_err().to_string();
/// assert_eq!(err, "no RTT up channel 'logs': the target has 0 'defmt', 1 'ph-eventing'; pick with --channel N|NAME");
/// ```
pub fn choose_channels(
    target: &[(ChannelId, Option<String>)],
    wanted: &[ChannelSelector],
) -> Result<Vec<ChannelId>> {
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
        target.iter().find_map(|(n, name)| {
            let hit = match selector {
                ChannelSelector::Number(wanted) => n == wanted,
                ChannelSelector::Name(wanted) => name.as_deref() == Some(wanted.as_str()),
            };
            hit.then_some(*n)
        })
    };
    let mut chosen = Vec::new();
    if wanted.is_empty() {
        let telemetry = ChannelSelector::Name(TELEMETRY_CHANNEL.to_owned());
        match (find(&telemetry), target) {
            (Some(n), _) => chosen.push(n),
            (None, [(only, _)]) => chosen.push(*only),
            (None, _) => bail!(
                "no RTT up channel named '{TELEMETRY_CHANNEL}', and the target has {}: pick one with --channel N|NAME",
                listed()
            ),
        }
    }
    for selector in wanted {
        match find(selector) {
            Some(n) => chosen.push(n),
            None => bail!(
                "no RTT up channel {selector}: the target has {}; pick with --channel N|NAME",
                listed()
            ),
        }
    }
    chosen.sort_unstable();
    chosen.dedup();
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

    #[test]
    fn the_only_channel_is_taken_whatever_its_name() {
        assert_eq!(
            choose_channels(&target(&[Some("Terminal")]), &[]).unwrap(),
            [0]
        );
        assert_eq!(choose_channels(&target(&[None]), &[]).unwrap(), [0]);
    }

    #[test]
    fn several_channels_without_telemetry_need_a_choice() {
        let err = choose_channels(&target(&[Some("Terminal"), None]), &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "no RTT up channel named 'ph-eventing', and the target has 0 'Terminal', 1 (no name): pick one with --channel N|NAME"
        );
    }

    #[test]
    fn numbers_and_names_mix_and_repeat() {
        let t = target(&[Some("defmt"), Some("ph-eventing"), Some("text")]);
        let wanted: Vec<ChannelSelector> = ["text", "0", "defmt"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(choose_channels(&t, &wanted).unwrap(), [0, 2]);
        let err = choose_channels(&t, &[ChannelSelector::Number(5)])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "no RTT up channel 5: the target has 0 'defmt', 1 'ph-eventing', 2 'text'; pick with --channel N|NAME"
        );
    }

    #[test]
    fn no_up_channel_at_all() {
        let err = choose_channels(&[], &[]).unwrap_err().to_string();
        assert!(
            err.starts_with("the RTT control block has no up channel set up"),
            "{err}"
        );
    }
}
