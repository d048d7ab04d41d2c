//! Everything that talks to probe-rs to open a [`ProbeSource`](crate::source::ProbeSource): the
//! options, chip names, probe selection, attaching and finding RTT.

mod attach;
mod channels;
mod chip;
mod chip_description;
mod flash;
pub mod gdb;
mod options;
mod select;
mod stop;

pub use attach::{
    attach, attach_gdb, attach_probe, attach_rtt, gdb_errors_first, list_probes, open_session,
    rtt_address_from_elf, scan_region,
};
pub use channels::{ChannelSelector, choose_channels};
pub use chip::{closest_names, resolve_chip};
pub use chip_description::resolve_chip_with;
pub use flash::{arm_fault_catch, elf_instruction_set, flash, start};
pub use options::{ProbeOptions, Protocol, RttOptions};
pub use select::{ProbeEntry, UDEV_HINT, choose, parse_selector};
pub use stop::{FirmwareStop, classify_halt};
