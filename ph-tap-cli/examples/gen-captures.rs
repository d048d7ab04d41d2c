//! Regenerates the committed captures in `ph-tap-cli/tests/data/*.bin` from the simulated
//! target (real `SeqRing`, real wire encoder). Then refresh the expected outputs with
//! `PH_TAP_BLESS=1 cargo test -p ph-tap-cli --test decode_captures`.
//!
//! ```text
//! cargo run -p ph-tap-cli --example gen-captures
//! ```

use std::path::Path;

use anyhow::{Context, Result};

/// The scenarios, shared with the tests that check the captures match them.
#[path = "../tests/common/scenarios.rs"]
mod scenarios;

fn main() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let streams = scenarios::streams().0;
    for (name, bytes) in scenarios::captures()?
        .into_iter()
        .chain([("streams", streams)])
    {
        let path = dir.join(format!("{name}.bin"));
        std::fs::write(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
