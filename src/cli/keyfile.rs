//! Key files: `NAME.key` holds the 32-byte Ed25519 seed as hex (mode 0600, never overwritten),
//! `NAME.pub` the public key as hex (safe to commit and publish).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::ledger::SecretKey;

pub fn key_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.key"))
}

/// Key names become file names: keep them to a safe alphabet.
pub fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.');
    if !ok {
        bail!("key name must be 1-64 characters of A-Z a-z 0-9 . _ - (got {name:?})");
    }
    Ok(())
}

/// Writes a new key pair; refuses to touch an existing private key.
pub fn write_new(dir: &Path, name: &str, key: &SecretKey) -> anyhow::Result<PathBuf> {
    check_name(name)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = key_path(dir, name);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = match opts.open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "{} already exists; private keys are never overwritten",
                path.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
    };
    writeln!(f, "{}", key.to_hex()).with_context(|| format!("writing {}", path.display()))?;
    f.sync_all()?;
    let pub_path = dir.join(format!("{name}.pub"));
    std::fs::write(&pub_path, format!("{}\n", key.public().to_hex()))
        .with_context(|| format!("writing {}", pub_path.display()))?;
    Ok(path)
}

/// Reads a private key file.
pub fn read(path: &Path) -> anyhow::Result<SecretKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading key file {}", path.display()))?;
    SecretKey::from_hex(&text).with_context(|| format!("key file {}", path.display()))
}

/// Reads the operator key from the key directory.
pub fn operator(dir: &Path) -> anyhow::Result<SecretKey> {
    read(&key_path(dir, "operator"))
        .context("the operator key is needed to sign checkpoints (run `sunshine init`)")
}
