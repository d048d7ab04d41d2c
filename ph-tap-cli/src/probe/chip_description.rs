//! `--chip-description FILE.yaml`: a probe-rs target description added to the built-in chips,
//! for boards probe-rs does not know (QEMU's `mps2-an386`, `ph-tap-cli/targets/`), as
//! probe-rs's own `--chip-description-path`.

use std::path::Path;

use anyhow::{Context, Result};
use probe_rs::config::{Registry, Target};

use super::chip::resolve_in;

/// Looks chip `name` up among probe-rs's built-in chips and, if given, the chips of the
/// target description `description` (a probe-rs target YAML file).
///
/// ```
/// # use ph_tap::probe::resolve_chip_with;
/// let yaml = concat!(env!("CARGO_MANIFEST_DIR"), "/targets/mps2-an386.yaml");
/// let target = resolve_chip_with("mps2-an386", Some(yaml.as_ref()))?;
/// assert_eq!(target.name, "mps2-an386");
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn resolve_chip_with(name: &str, description: Option<&Path>) -> Result<Target> {
    let mut registry = Registry::from_builtin_families();
    if let Some(path) = description {
        let yaml = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read --chip-description {}: check the path",
                path.display()
            )
        })?;
        registry.add_target_family_from_yaml(&yaml).with_context(|| {
            format!(
                "--chip-description {} is not a probe-rs target description: fix the YAML (ph-tap-cli/targets/ has an example)",
                path.display()
            )
        })?;
    }
    resolve_in(&registry, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/mps2-an386.yaml")
    }

    #[test]
    fn the_shipped_mps2_an386_description_loads() {
        let target = resolve_chip_with("mps2-an386", Some(&shipped())).unwrap();
        assert_eq!(target.name, "mps2-an386");
        assert_eq!(target.cores.len(), 1);
        assert_eq!(target.cores[0].core_type, probe_rs::CoreType::Armv7em);
        // All RAM (`ph-tap run` writes the code memory like RAM); RTT's scan skips the code
        // memory, marked an alias.
        let ram: Vec<_> = target
            .memory_map
            .iter()
            .filter_map(|r| match r {
                probe_rs::config::MemoryRegion::Ram(ram) => Some((ram.range.clone(), ram.is_alias)),
                _ => None,
            })
            .collect();
        assert_eq!(
            ram,
            [(0..0x40_0000, true), (0x2000_0000..0x2040_0000, false)]
        );
    }

    #[test]
    fn without_the_description_the_board_is_unknown() {
        let err = resolve_chip_with("mps2-an386", None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("unknown chip 'mps2-an386'"), "{err}");
    }

    #[test]
    fn built_in_chips_still_resolve_with_a_description() {
        let target = resolve_chip_with("nRF52840_xxAA", Some(&shipped())).unwrap();
        assert_eq!(target.name, "nRF52840_xxAA");
    }

    #[test]
    fn a_missing_or_broken_file_is_one_line() {
        let err = resolve_chip_with("x", Some(Path::new("no/such.yaml"))).unwrap_err();
        assert_eq!(
            crate::one_line(&err).split(" (cause").next().unwrap(),
            "cannot read --chip-description no/such.yaml: check the path"
        );
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "name: [unclosed").unwrap();
        let err = crate::one_line(&resolve_chip_with("x", Some(file.path())).unwrap_err());
        assert!(
            err.contains("is not a probe-rs target description: fix the YAML"),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }
}
