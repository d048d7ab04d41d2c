//! Which probe to open: `--probe VID:PID[:SERIAL]` against the probes that are plugged in.

use anyhow::{Result, bail};
use probe_rs::probe::list::{Accessibility, ProbeListItem};
use probe_rs::probe::{DebugProbeInfo, DebugProbeSelector};

/// One connected probe, as `ph-tap list` shows it and `--probe` selects it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeEntry {
    /// The probe's name, e.g. `J-Link` or `CMSIS-DAP`.
    pub identifier: String,
    /// USB vendor id.
    pub vendor_id: u16,
    /// USB product id.
    pub product_id: u16,
    /// USB serial number, if the probe reports one.
    pub serial_number: Option<String>,
    /// Whether this user may open the USB device (false: udev rules are missing on Linux).
    pub accessible: bool,
}

impl ProbeEntry {
    /// The string `--probe` takes to select exactly this probe.
    ///
    /// ```
    /// use ph_tap::probe::ProbeEntry;
    /// let probe = ProbeEntry { identifier: "J-Link".into(), vendor_id: 0x1366, product_id: 0x1015,
    ///                          serial_number: Some("000683".into()), accessible: true };
    /// assert_eq!(probe.selector(), "1366:1015:000683");
    /// ```
    pub fn selector(&self) -> String {
        match &self.serial_number {
            Some(serial) if !serial.is_empty() => {
                format!("{:04x}:{:04x}:{serial}", self.vendor_id, self.product_id)
            }
            _ => format!("{:04x}:{:04x}", self.vendor_id, self.product_id),
        }
    }

    /// One line for `ph-tap list`: selector, name, and a warning when it cannot be opened.
    pub fn list_line(&self) -> String {
        let mut line = format!("{}  {}", self.selector(), self.identifier);
        if !self.accessible {
            line.push_str("  (permission denied: install the probe-rs udev rules)");
        }
        line
    }

    /// Whether `--probe selector` picks this probe.
    pub fn matches(&self, selector: &DebugProbeSelector) -> bool {
        selector.vendor_id == self.vendor_id
            && selector.product_id == self.product_id
            && selector
                .serial_number
                .as_ref()
                .is_none_or(|wanted| Some(wanted) == self.serial_number.as_ref())
    }
}

impl From<&ProbeListItem> for ProbeEntry {
    fn from(item: &ProbeListItem) -> Self {
        let info: &DebugProbeInfo = &item.info;
        ProbeEntry {
            identifier: info.identifier.clone(),
            vendor_id: info.vendor_id,
            product_id: info.product_id,
            serial_number: info.serial_number.clone(),
            accessible: item.accessibility == Accessibility::Accessible,
        }
    }
}

/// The udev hint every permission error ends with.
pub const UDEV_HINT: &str =
    "install the probe-rs udev rules on Linux (see the ph-tap README) and replug it";

/// Parses `--probe` (`VID:PID[:SERIAL]`, hex ids, as `ph-tap list` prints them).
pub fn parse_selector(text: &str) -> Result<DebugProbeSelector> {
    text.parse::<DebugProbeSelector>().map_err(|err| {
        anyhow::anyhow!(
            "invalid --probe '{text}' ({err}): use VID:PID[:SERIAL] in hex as `ph-tap list` prints it"
        )
    })
}

/// Picks the probe to open, or explains in one line why none can be.
///
/// Returns the index into `probes`.
pub fn choose(probes: &[ProbeEntry], selector: Option<&DebugProbeSelector>) -> Result<usize> {
    if let (true, Some(selector)) = (probes.is_empty(), selector) {
        bail!(
            "no probe matches --probe {selector}: no debug probe is connected; plug it in, and if it is plugged in, {UDEV_HINT}"
        );
    }
    if probes.is_empty() {
        bail!(
            "no debug probe found: plug one in (check with `ph-tap list`); if it is plugged in, {UDEV_HINT}"
        );
    }
    let candidates: Vec<usize> = match selector {
        Some(selector) => (0..probes.len())
            .filter(|&i| probes[i].matches(selector))
            .collect(),
        None => (0..probes.len()).collect(),
    };
    match (candidates.as_slice(), selector) {
        ([], Some(selector)) => bail!(
            "no probe matches --probe {selector}: connected are {} (see `ph-tap list`)",
            selectors(probes, &(0..probes.len()).collect::<Vec<_>>())
        ),
        ([only], _) => {
            if !probes[*only].accessible {
                bail!(
                    "permission denied opening probe {}: {UDEV_HINT}",
                    probes[*only].selector()
                );
            }
            Ok(*only)
        }
        (many, _) => bail!(
            "{} probes match: choose one with --probe, e.g. --probe {} (connected: {})",
            many.len(),
            probes[many[0]].selector(),
            selectors(probes, many)
        ),
    }
}

fn selectors(probes: &[ProbeEntry], which: &[usize]) -> String {
    which
        .iter()
        .map(|&i| probes[i].selector())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(vid: u16, pid: u16, serial: &str, accessible: bool) -> ProbeEntry {
        ProbeEntry {
            identifier: "CMSIS-DAP".into(),
            vendor_id: vid,
            product_id: pid,
            serial_number: Some(serial.into()),
            accessible,
        }
    }

    #[test]
    fn no_probe_says_plug_one_in() {
        let err = choose(&[], None).unwrap_err().to_string();
        assert!(
            err.starts_with("no debug probe found: plug one in"),
            "{err}"
        );
    }

    #[test]
    fn single_probe_is_taken_without_selector() {
        assert_eq!(
            choose(&[probe(0x1366, 0x1015, "A", true)], None).unwrap(),
            0
        );
    }

    #[test]
    fn several_probes_need_a_selector() {
        let probes = [
            probe(0x1366, 0x1015, "A", true),
            probe(0x0d28, 0x0204, "B", true),
        ];
        let err = choose(&probes, None).unwrap_err().to_string();
        assert_eq!(
            err,
            "2 probes match: choose one with --probe, e.g. --probe 1366:1015:A \
             (connected: 1366:1015:A, 0d28:0204:B)"
        );
        let sel = parse_selector("0d28:0204").unwrap();
        assert_eq!(choose(&probes, Some(&sel)).unwrap(), 1);
        let sel = parse_selector("1366:1015:A").unwrap();
        assert_eq!(choose(&probes, Some(&sel)).unwrap(), 0);
    }

    #[test]
    fn same_model_twice_is_told_apart_by_serial() {
        let probes = [
            probe(0x1366, 0x1015, "A", true),
            probe(0x1366, 0x1015, "B", true),
        ];
        let sel = parse_selector("1366:1015").unwrap();
        assert!(
            choose(&probes, Some(&sel))
                .unwrap_err()
                .to_string()
                .starts_with("2 probes match")
        );
        let sel = parse_selector("1366:1015:B").unwrap();
        assert_eq!(choose(&probes, Some(&sel)).unwrap(), 1);
    }

    #[test]
    fn selector_that_matches_nothing_lists_what_is_there() {
        let probes = [probe(0x1366, 0x1015, "A", true)];
        let sel = parse_selector("dead:beef").unwrap();
        let err = choose(&probes, Some(&sel)).unwrap_err().to_string();
        assert_eq!(
            err,
            "no probe matches --probe dead:beef: connected are 1366:1015:A (see `ph-tap list`)"
        );
    }

    #[test]
    fn inaccessible_probe_gets_the_udev_hint() {
        let err = choose(&[probe(0x1366, 0x1015, "A", false)], None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("permission denied opening probe 1366:1015:A"),
            "{err}"
        );
        assert!(err.contains("udev"), "{err}");
    }

    #[test]
    fn list_line_is_what_probe_takes() {
        let mut p = probe(0x1366, 0x1015, "000683", true);
        assert_eq!(p.list_line(), "1366:1015:000683  CMSIS-DAP");
        p.accessible = false;
        assert!(
            p.list_line()
                .ends_with("(permission denied: install the probe-rs udev rules)")
        );
        let sel = parse_selector(&p.selector()).unwrap();
        assert!(p.matches(&sel));
        p.serial_number = None;
        assert_eq!(p.selector(), "1366:1015");
    }

    #[test]
    fn bad_selector_text_is_one_clear_line() {
        let err = parse_selector("jlink").unwrap_err().to_string();
        assert!(err.starts_with("invalid --probe 'jlink'"), "{err}");
        assert_eq!(err.lines().count(), 1);
    }
}
