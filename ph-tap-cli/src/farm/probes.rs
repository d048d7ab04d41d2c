//! Boards reached through debug probes or GDB servers (`ph-tap attach --boards`, several
//! `--probe`, `--all-probes`): everything checked first (names, chips, ELFs, probe
//! selectors) before any probe is touched, then each board attached and spawned in turn, one
//! that cannot be attached said in one line while the others go on.

use anyhow::{Result, bail};

use crate::board::Board;
use crate::channel::up_channels;
use crate::decode::DecoderOptions;
use crate::probe::{
    ProbeEntry, ProbeOptions, RttOptions, UDEV_HINT, attach, parse_selector, resolve_chip_with,
};
use crate::source::{Reconnecting, Source};

use super::{BoardSpec, Farm};

/// One board per probe `selector` (`VID:PID[:SERIAL]`, as `ph-tap list` prints it), each with
/// the options of `probe` (its chip, speed, protocol) and `rtt`, and named after its probe
/// with `-` for `:` (`1366-1015-000683`).
///
/// ```
/// use ph_tap::farm::boards_of_probes;
/// use ph_tap::probe::{ProbeOptions, RttOptions};
/// let probe = ProbeOptions { chip: Some("nRF52840_xxAA".into()), ..ProbeOptions::default() };
/// let selectors = ["1366:1015:000683".to_owned(), "0d28:0204".to_owned()];
/// let boards = boards_of_probes(&selectors, &probe, &RttOptions::default()).unwrap();
/// assert_eq!(boards[0].name.as_str(), "1366-1015-000683");
/// assert_eq!(boards[1].probe.probe, ["0d28:0204"]);
/// assert!(boards_of_probes(&["0d28:0204".into(), "0d28:0204".into()], &probe, &RttOptions::default()).is_err());
/// ```
pub fn boards_of_probes(
    selectors: &[String],
    probe: &ProbeOptions,
    rtt: &RttOptions,
) -> Result<Vec<BoardSpec>> {
    let mut boards: Vec<BoardSpec> = Vec::new();
    for selector in selectors {
        parse_selector(selector)?;
        let name = selector.replace(':', "-");
        let name = Board::new(&name).map_err(|bad| {
            anyhow::anyhow!(
                "probe {selector} cannot name its board ({bad}): name it in a --boards file instead"
            )
        })?;
        if boards.iter().any(|b| b.name == name) {
            bail!(
                "--probe {selector} is given twice, or two probes have no serial number to tell them apart: give each --probe once, with its serial (`ph-tap list`)"
            );
        }
        boards.push(BoardSpec {
            name,
            probe: ProbeOptions {
                probe: vec![selector.clone()],
                ..probe.clone()
            },
            rtt: rtt.clone(),
            file: None,
        });
    }
    Ok(boards)
}

/// The selectors of every probe connected (`--all-probes`), or a one-line error when none is.
pub fn all_probes(probes: &[ProbeEntry]) -> Result<Vec<String>> {
    if probes.is_empty() {
        bail!(
            "--all-probes found no debug probe: plug them in (check with `ph-tap list`); if they are plugged in, {UDEV_HINT}"
        );
    }
    Ok(probes.iter().map(ProbeEntry::selector).collect())
}

/// A board checked and ready to attach: its chip found, its ELF read.
struct Ready {
    spec: BoardSpec,
    target: probe_rs::config::Target,
    decoders: DecoderOptions,
}

/// Attaches every board of `boards` and spawns it into `farm`, decoded with `decoders` (and
/// its own ELF's defmt table); each is opened again whenever it goes away, unless
/// `no_reconnect`.
///
/// First every board's chip and ELF are checked, and any mistake is the error, before any
/// probe or GDB server is touched. Then each board is attached in turn: one that cannot be
/// says so in one line (`[a] cannot attach, the other boards go on: ...`), has its row in the
/// summary as failed, and the others go on; an error only when none could be attached.
pub fn attach_boards(
    farm: &Farm,
    boards: Vec<BoardSpec>,
    decoders: &DecoderOptions,
    no_reconnect: bool,
) -> Result<()> {
    let mut ready = Vec::new();
    for spec in boards {
        let mistake =
            |err: anyhow::Error| anyhow::anyhow!("{}: {}", spec.label(), crate::one_line(&err));
        let chip = spec.probe.chip.clone().unwrap_or_default();
        let target =
            resolve_chip_with(&chip, spec.probe.chip_description.as_deref()).map_err(mistake)?;
        for selector in &spec.probe.probe {
            parse_selector(selector).map_err(mistake)?;
        }
        let decoders = match &spec.rtt.elf {
            Some(elf) => decoders.clone().with_elf(elf).map_err(mistake)?,
            None => decoders.clone(),
        };
        ready.push(Ready {
            spec,
            target,
            decoders,
        });
    }
    let total = ready.len();
    let mut attached = 0;
    let mut failed = false;
    for Ready {
        spec,
        target,
        decoders,
    } in ready
    {
        let name = spec.name.clone();
        match attach(target, &spec.probe, &spec.rtt) {
            Ok(source) => {
                eprintln!(
                    "[{name}] attached: RTT control block at {:#010x}, {} (Ctrl-C to stop)",
                    source.control_block(),
                    up_channels(source.channels()),
                );
                let source: Box<dyn Source> = if no_reconnect {
                    Box::new(source)
                } else {
                    Box::new(Reconnecting::new(
                        spec.probe.kind(),
                        Box::new(source),
                        reconnect(spec),
                    ))
                };
                farm.spawn_with(name.as_str(), source, decoders)?;
                attached += 1;
            }
            Err(err) => {
                let line = crate::one_line(&err);
                eprintln!("[{name}] cannot attach, the other boards go on: {line}");
                farm.add_failed(name.as_str(), anyhow::anyhow!("{line}"))?;
                failed = true;
            }
        }
    }
    if failed && attached == 0 {
        bail!("none of the {total} boards could be attached: see each board's line above");
    }
    Ok(())
}

/// Attaches `spec` again as the first time, but never resets a target already running.
fn reconnect(spec: BoardSpec) -> crate::source::Connect {
    let rtt = RttOptions {
        reset: false,
        ..spec.rtt
    };
    let probe = spec.probe;
    Box::new(move || -> Result<Box<dyn Source>> {
        let chip = probe.chip.clone().unwrap_or_default();
        let target = resolve_chip_with(&chip, probe.chip_description.as_deref())?;
        Ok(Box::new(attach(target, &probe, &rtt)?))
    })
}
