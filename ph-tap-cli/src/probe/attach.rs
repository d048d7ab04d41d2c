//! Opening a probe, attaching to the target and finding the RTT up channel.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use probe_rs::config::Target;
use probe_rs::probe::list::Lister;
use probe_rs::probe::{DebugProbeError, Probe, ProbeCreationError, WireProtocol};
use probe_rs::rtt::{self, ScanRegion};
use probe_rs::{Permissions, Session};

use super::channels::choose_channels;
use super::gdb::{GdbProbe, gdb_error_in};
use super::options::{ProbeOptions, Protocol, RttOptions};
use super::select::{self, ProbeEntry, UDEV_HINT};
use crate::record::ChannelId;
use crate::source::ProbeSource;

/// How long to keep looking for the RTT control block (the firmware may still be starting).
const RTT_ATTACH_TIMEOUT: Duration = Duration::from_millis(1500);

/// The probes plugged in, as `ph-tap list` shows them.
pub fn list_probes() -> Vec<ProbeEntry> {
    Lister::new()
        .list_all_with_access()
        .iter()
        .map(ProbeEntry::from)
        .collect()
}

/// Opens the selected probe, attaches to `target` and finds the RTT up channels.
///
/// With `--gdb`, the "probe" is that GDB server ([`attach_gdb`]).
pub fn attach(target: Target, opts: &ProbeOptions, rtt: &RttOptions) -> Result<ProbeSource> {
    // Everything that can be checked without hardware is checked first.
    let region = scan_region(rtt)?;
    let session = open_session(target, opts, false)?;
    gdb_errors_first(attach_rtt(session, &region, rtt))
}

/// Opens the probe (or the GDB server) `opts` selects and attaches probe-rs to `target`
/// through it: the session `ph-tap run` flashes through (`halted`: a GDB server's target is
/// left stopped rather than resumed), and [`attach`] reads RTT through.
pub fn open_session(target: Target, opts: &ProbeOptions, halted: bool) -> Result<Session> {
    if let Some(addr) = &opts.gdb {
        let given = opts.probe_flags_given();
        if !given.is_empty() {
            bail!(
                "--gdb reaches the target through a GDB server, not a probe: drop {}",
                given.join(", ")
            );
        }
        let probe = if halted {
            GdbProbe::connect_halted(addr)?
        } else {
            GdbProbe::connect(addr)?
        };
        return gdb_errors_first(attach_session(probe.into_probe(), target, false));
    }
    let selector = match opts.probe.as_slice() {
        [] => None,
        [one] => Some(select::parse_selector(one)?),
        many => bail!(
            "--probe given {} times, and one session opens one probe: give --probe once (`ph-tap attach` reads several, one board each)",
            many.len()
        ),
    };
    let lister = Lister::new();
    let items = lister.list_all_with_access();
    let entries: Vec<ProbeEntry> = items.iter().map(ProbeEntry::from).collect();
    let index = select::choose(&entries, selector.as_ref())?;
    let wanted = entries[index].selector();
    let mut probe = items[index]
        .info
        .open()
        .map_err(|err| open_error(err, &wanted))?;
    if let Some(protocol) = opts.protocol {
        let protocol = match protocol {
            Protocol::Swd => WireProtocol::Swd,
            Protocol::Jtag => WireProtocol::Jtag,
        };
        probe.select_protocol(protocol).with_context(|| {
            format!(
                "probe {wanted} cannot speak {protocol:?}: drop --protocol or use the other one"
            )
        })?;
    }
    if let Some(khz) = opts.speed {
        probe.set_speed(khz).with_context(|| {
            format!("probe {wanted} refused --speed {khz}: try a lower speed, e.g. --speed 1000")
        })?;
    }
    attach_session(probe, target, opts.connect_under_reset)
}

/// Connects to the GDB server at `addr` ([`GdbProbe`]), attaches probe-rs to `target` through
/// it and finds the RTT up channels. An error of the GDB link is reported as itself (one line
/// that says what to do), whatever probe-rs was doing when it happened.
pub fn attach_gdb(addr: &str, target: Target, rtt: &RttOptions) -> Result<ProbeSource> {
    let opts = ProbeOptions {
        gdb: Some(addr.to_owned()),
        ..ProbeOptions::default()
    };
    attach(target, &opts, rtt)
}

/// An error of a GDB link as itself: the one line that says what to do.
pub fn gdb_errors_first<T>(result: Result<T>) -> Result<T> {
    result.map_err(|err| match gdb_error_in(&err) {
        Some(gdb) => anyhow::anyhow!("{gdb}"),
        None => err,
    })
}

/// Where to look for the RTT control block: `--elf`'s `_SEGGER_RTT`, else all of RAM.
pub fn scan_region(opts: &RttOptions) -> Result<ScanRegion> {
    Ok(match &opts.elf {
        Some(path) => ScanRegion::Exact(rtt_address_from_elf(path)?),
        None => ScanRegion::Ram,
    })
}

/// Attaches an opened probe (real or probe-rs's `FakeProbe`) and finds the RTT up channels.
pub fn attach_probe(
    probe: Probe,
    target: Target,
    region: &ScanRegion,
    connect_under_reset: bool,
    opts: &RttOptions,
) -> Result<ProbeSource> {
    let session = attach_session(probe, target, connect_under_reset)?;
    attach_rtt(session, region, opts)
}

/// Attaches probe-rs to `target` through an opened probe.
fn attach_session(probe: Probe, target: Target, connect_under_reset: bool) -> Result<Session> {
    let chip = target.name.clone();
    if connect_under_reset {
        probe.attach_under_reset(target, Permissions::default())
    } else {
        probe.attach(target, Permissions::default())
    }
    .map_err(|err| {
        let hint = if is_locked(&err) {
            format!(
                "target {chip} is locked (read-out protection): unlock it by erasing the whole chip, `probe-rs erase --chip {chip} --allow-erase-all`, then run again"
            )
        } else if connect_under_reset {
            format!("target {chip} is not responding: check wiring and target power")
        } else {
            format!(
                "target {chip} is not responding: check wiring and target power, or try --connect-under-reset"
            )
        };
        anyhow::Error::new(err).context(hint)
    })
}

/// A chip that refuses the debugger until it is erased (nRF APPROTECT, STM32 RDP...).
fn is_locked(err: &probe_rs::Error) -> bool {
    matches!(
        err,
        probe_rs::Error::MissingPermissions(_)
            | probe_rs::Error::Arm(probe_rs::architecture::arm::ArmError::MissingPermissions(_))
    )
}

/// Finds the RTT up channels in an attached session (resetting the target first with
/// `opts.reset`).
pub fn attach_rtt(
    mut session: Session,
    region: &ScanRegion,
    opts: &RttOptions,
) -> Result<ProbeSource> {
    let mut core = session
        .core(0)
        .context("cannot access core 0 of the target: check the --chip name matches the board")?;
    if opts.reset {
        const RESET_FAILED: &str =
            "resetting the target failed: try without --reset or with --connect-under-reset";
        core.reset_and_halt(Duration::from_millis(500))
            .context(RESET_FAILED)?;
        // RAM survives a reset: wipe the previous run's control block so the fresh one the
        // firmware sets up is found, not the stale one.
        rtt::Rtt::clear_control_block(&mut core, region)
            .context("cannot clear the previous RTT control block: try without --reset")?;
        core.run().context(RESET_FAILED)?;
    }
    let mut rtt = find_control_block(&mut core, region).map_err(|err| {
        let hint = match (&err, &opts.elf) {
            (rtt::Error::ControlBlockNotFound, None) => {
                "RTT control block not found in target RAM: pass --elf FIRMWARE.elf, or the firmware has not started RTT yet (try --reset)".to_owned()
            }
            (rtt::Error::ControlBlockNotFound, Some(elf)) => format!(
                "no RTT control block at {elf}'s _SEGGER_RTT: is this the ELF running on the target, and has the firmware started RTT (try --reset)?",
                elf = elf.display()
            ),
            (rtt::Error::MultipleControlBlocksFound(_), _) => {
                "several RTT control blocks in RAM: pass --elf FIRMWARE.elf to pick the right one".to_owned()
            }
            _ => "cannot read the RTT control block: check the target is running, or pass --elf FIRMWARE.elf".to_owned(),
        };
        anyhow::Error::new(err).context(hint)
    })?;
    drop(core);
    let target: Vec<(ChannelId, Option<String>)> = rtt
        .up_channels()
        .iter()
        .map(|c| (c.number(), c.name().map(str::to_owned)))
        .collect();
    let channels = choose_channels(&target, &opts.channels, &opts.show_channels)?;
    Ok(ProbeSource::new(session, rtt, region.clone(), channels))
}

/// Looks for the RTT control block until it is found, for [`RTT_ATTACH_TIMEOUT`] and at least
/// twice (the firmware may still be starting). probe-rs's `try_attach_to_rtt` stops at the
/// timeout however long one look takes, and a scan of a large RAM through a slow link (a GDB
/// server on a loaded machine) can take longer than that: it would end after one look that
/// began before the firmware set up its control block.
fn find_control_block(
    core: &mut probe_rs::Core<'_>,
    region: &ScanRegion,
) -> Result<rtt::Rtt, rtt::Error> {
    let started = std::time::Instant::now();
    let mut looks = 0;
    loop {
        looks += 1;
        match rtt::Rtt::attach_region(core, region) {
            Err(rtt::Error::NoControlBlockLocation) => {
                return Err(rtt::Error::NoControlBlockLocation);
            }
            Err(_) if looks < 2 || started.elapsed() < RTT_ATTACH_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// The address of `_SEGGER_RTT` in the firmware ELF at `path`.
pub fn rtt_address_from_elf(path: &std::path::Path) -> Result<u64> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read {}: check the path", path.display()))?;
    let found = rtt::find_rtt_control_block_in_raw_file(&bytes).with_context(|| {
        format!(
            "{} is not an ELF file: pass the firmware's ELF (not .bin/.hex)",
            path.display()
        )
    })?;
    found.with_context(|| {
        format!(
            "{} has no _SEGGER_RTT symbol: is RTT (rtt-target, defmt-rtt) linked into this firmware? (attach without --elf scans RAM instead)",
            path.display()
        )
    })
}

fn open_error(err: DebugProbeError, probe: &str) -> anyhow::Error {
    let hint = match &err {
        DebugProbeError::ProbeCouldNotBeCreated(ProbeCreationError::NotFound) => {
            format!("probe {probe} disappeared before it could be opened: replug it and retry")
        }
        DebugProbeError::ProbeCouldNotBeCreated(_) | DebugProbeError::Usb(_) => format!(
            "cannot open probe {probe}: it is busy (close other debuggers: probe-rs, OpenOCD, J-Link) or access is denied ({UDEV_HINT})"
        ),
        _ => format!("cannot open probe {probe}: replug it and retry"),
    };
    anyhow::Error::new(err).context(hint)
}
