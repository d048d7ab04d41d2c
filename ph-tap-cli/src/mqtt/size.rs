//! `--publish-buffer SIZE`: a byte count with an optional unit (`4MiB`, `512k`, `65536`).

use anyhow::{Result, bail};

/// The default `--publish-buffer`: what is kept for the broker while it is away.
pub const DEFAULT_BUFFER: &str = "4MiB";

/// Parses a size: a number of bytes, or with `k`/`KiB`, `M`/`MiB`, `G`/`GiB` (powers of 1024;
/// `KB`, `MB`, `GB` are powers of 1000).
///
/// ```
/// use ph_tap::mqtt::parse_size;
/// assert_eq!(parse_size("4MiB").unwrap(), 4 << 20);
/// assert_eq!(parse_size("512k").unwrap(), 512 << 10);
/// assert_eq!(parse_size("1MB").unwrap(), 1_000_000);
/// assert_eq!(parse_size("100").unwrap(), 100);
/// assert!(parse_size("lots").is_err());
/// ```
pub fn parse_size(text: &str) -> Result<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => bail!("'{text}' is not a size: give bytes, e.g. 4MiB, 512KiB or 65536"),
    };
    let Ok(number) = number.parse::<u64>() else {
        bail!("'{text}' is not a size: give bytes, e.g. 4MiB, 512KiB or 65536");
    };
    number
        .checked_mul(multiplier)
        .ok_or_else(|| anyhow::anyhow!("'{text}' is too large a size: give at most a few GiB"))
}

/// A size as `--publish-buffer` would take it back: `4 MiB`, `512 KiB`, `100 bytes`.
///
/// ```
/// assert_eq!(ph_tap::mqtt::show_size(4 << 20), "4 MiB");
/// assert_eq!(ph_tap::mqtt::show_size(1536), "1.5 KiB");
/// assert_eq!(ph_tap::mqtt::show_size(100), "100 bytes");
/// ```
pub fn show_size(bytes: u64) -> String {
    let (unit, value) = match bytes {
        0..1024 => return format!("{bytes} bytes"),
        1024..1_048_576 => ("KiB", bytes as f64 / 1024.0),
        1_048_576..1_073_741_824 => ("MiB", bytes as f64 / 1_048_576.0),
        _ => ("GiB", bytes as f64 / 1_073_741_824.0),
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.trim_end_matches(".0"))
}
