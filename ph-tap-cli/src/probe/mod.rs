//! Everything that talks to probe-rs to open a [`ProbeSource`](crate::source::ProbeSource): the
//! options, chip names, probe selection, attaching and finding RTT.

mod attach;
mod channels;
mod chip;
mod chip_description;
pub mod gdb;
mod options;
mod select;

pub use attach::{
    attach, attach_gdb, attach_probe, list_probes, rtt_address_from_elf, scan_region,
};
pub use channels::{ChannelSelector, choose_channels};
pub use chip::{closest_names, resolve_chip};
pub use chip_description::resolve_chip_with;
pub use options::{ProbeOptions, Protocol, RttOptions};
pub use select::{ProbeEntry, UDEV_HINT, choose, parse_selector};
