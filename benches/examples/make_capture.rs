//! Writes a synthetic capture in the `ph-eventing-wire` format, for timing `ph-tap decode` on big
//! files (see docs/PERFORMANCE.md):
//!
//! ```text
//! cargo run --release -p ph-benches --example make_capture -- capture-100.bin 100
//! ph-tap decode capture-100.bin > /dev/null
//! ```
//!
//! Arguments: the output path and the size in MB (10^6 bytes; the file ends at the first frame
//! boundary past it). The frames are `u32` values with a hello every 1000 frames and a ring drop
//! every 997, as in the decoder benchmark.

use std::io::Write;

use ph_benches::capture::u32_capture_range;

/// Frames generated per block (about 12 MB).
const BLOCK_FRAMES: u32 = 1_000_000;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(mb)) = (args.next(), args.next()) else {
        eprintln!("usage: make_capture OUT.bin SIZE_MB");
        std::process::exit(2);
    };
    let mb: u64 = mb.parse().expect("SIZE_MB: a whole number of megabytes");
    let target = mb * 1_000_000;
    // One continuous capture, generated a block at a time.
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut block = Vec::new();
    let mut written = 0u64;
    let mut next = 0u32;
    while written < target {
        block.clear();
        u32_capture_range(&mut block, next..next + BLOCK_FRAMES);
        next += BLOCK_FRAMES;
        let left = usize::try_from(target - written).unwrap_or(usize::MAX);
        let piece = if left >= block.len() {
            &block[..]
        } else {
            // Cut just after the first delimiter past `left` bytes, so the file ends on a frame.
            let end = block[left..]
                .iter()
                .position(|&b| b == 0)
                .map_or(block.len(), |i| left + i + 1);
            &block[..end]
        };
        out.write_all(piece)?;
        written += piece.len() as u64;
    }
    out.flush()?;
    eprintln!("{path}: {written} bytes");
    Ok(())
}
