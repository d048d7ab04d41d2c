//! Chip names resolved like probe-rs does, with the closest known names for a typo.

use anyhow::{Result, bail};
use probe_rs::config::{Registry, RegistryError, Target};

/// How many suggestions an unknown chip name gets.
const SUGGESTIONS: usize = 5;

/// Looks `name` up in probe-rs's built-in chip registry (case-insensitive, prefixes such as
/// `nRF52840` for `nRF52840_xxAA` accepted when they are unambiguous).
///
/// An unknown name fails with the closest known names, an ambiguous one with its candidates.
pub fn resolve_chip(name: &str) -> Result<Target> {
    resolve_in(&Registry::from_builtin_families(), name)
}

/// [`resolve_chip`] in `registry` (the built-in chips and any `--chip-description`).
pub(super) fn resolve_in(registry: &Registry, name: &str) -> Result<Target> {
    match registry.get_target_by_name(name) {
        Ok(target) => Ok(target),
        Err(RegistryError::ChipNotFound(_)) => {
            let close = closest_names(registry, name, SUGGESTIONS);
            if close.is_empty() {
                bail!("unknown chip '{name}': pass a probe-rs chip name such as nRF52840_xxAA")
            }
            bail!(
                "unknown chip '{name}': did you mean {}? (chip names are probe-rs's)",
                close.join(", ")
            )
        }
        Err(RegistryError::ChipNotUnique(..)) => {
            let mut matches = registry.search_chips(name);
            matches.dedup();
            let shown = matches.len().min(SUGGESTIONS + 3);
            let more = match matches.len() - shown {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            bail!(
                "chip name '{name}' matches several chips: give the full name, e.g. {}{more}",
                matches[..shown].join(", ")
            )
        }
        Err(other) => Err(anyhow::Error::new(other)
            .context(format!("cannot load the description of chip '{name}'"))),
    }
}

/// The `limit` known chip names closest to `name` (Jaro-Winkler on lower case, best first).
pub fn closest_names(registry: &Registry, name: &str, limit: usize) -> Vec<String> {
    let wanted = name.to_ascii_lowercase();
    let mut scored: Vec<(f64, String)> = registry
        .families()
        .iter()
        .flat_map(|family| family.variants.iter())
        .map(|chip| {
            let score = strsim::jaro_winkler(&wanted, &chip.name.to_ascii_lowercase());
            (score, chip.name.clone())
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .filter(|(score, _)| *score > 0.7)
        .take(limit)
        .map(|(_, name)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nrf52840_resolves_like_probe_rs() {
        let target = resolve_chip("nRF52840").unwrap();
        assert!(
            target.name.to_ascii_lowercase().starts_with("nrf52840"),
            "{}",
            target.name
        );
        assert!(resolve_chip("nrf52840_xxaa").is_ok());
    }

    #[test]
    fn typo_gets_the_closest_names() {
        let err = resolve_chip("nRF52804").unwrap_err().to_string();
        assert!(
            err.starts_with("unknown chip 'nRF52804': did you mean "),
            "{err}"
        );
        assert!(err.contains("nRF52840_xxAA"), "{err}");
        assert_eq!(err.lines().count(), 1);
    }

    #[test]
    fn ambiguous_prefix_lists_a_few_candidates() {
        let err = resolve_chip("STM32F4").unwrap_err().to_string();
        assert!(
            err.starts_with(
                "chip name 'STM32F4' matches several chips: give the full name, e.g. STM32F4"
            ),
            "{err}"
        );
        assert!(err.ends_with(" more"), "{err}");
        assert!(err.len() < 300, "{err}");
    }

    #[test]
    fn garbage_gets_a_hint() {
        let err = resolve_chip("zzzzzzzzzzzzzzzzzzzz")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("unknown chip 'zzzzzzzzzzzzzzzzzzzz'"),
            "{err}"
        );
    }
}
