//! Static export of the published log layout, and auditing such an export with no database.

use std::path::Path;

use crate::audit::AuditReport;

/// Placeholder until the exporter lands.
pub fn audit_dir(_dir: &Path) -> anyhow::Result<AuditReport> {
    anyhow::bail!("exported-directory audits are not implemented yet")
}
