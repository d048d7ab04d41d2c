//! `mqtts://`: the rustls client configuration, with the `ring` crypto provider, trusting the
//! `--ca FILE` given or else the system's CAs.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

/// The rustls configuration of a TLS connection: the certificates of `ca` (PEM, one or more)
/// as the only trusted roots, or the system's trusted CAs without it.
pub fn client_config(ca: Option<&Path>) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    match ca {
        Some(path) => {
            let pem = std::fs::read(path).with_context(|| {
                format!(
                    "cannot read --ca {}: give the broker's CA certificate (PEM)",
                    path.display()
                )
            })?;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<_, _>>()
                .map_err(|err| anyhow::anyhow!("{err:?}"))
                .with_context(|| {
                    format!("--ca {} is not PEM: give the broker's CA certificate (-----BEGIN CERTIFICATE-----)", path.display())
                })?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                bail!(
                    "--ca {} has no certificate: give the broker's CA certificate (PEM, -----BEGIN CERTIFICATE-----)",
                    path.display()
                );
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context(
            "cannot set up TLS (rustls with ring): this build has no TLS version in common with it",
        )?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
