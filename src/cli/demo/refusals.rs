//! The entries the demo offers after its history that the ledger must refuse (issue 14: a
//! failing case of each new rule, shown): each is offered, its refusal printed with the rule
//! and the field, and an acceptance is a bug that stops the demo.

use anyhow::bail;

use crate::append::service::{AppendError, LedgerService};
use crate::demo::Refusal;
use crate::replay::state::AdmitError;

/// Offers each of `refusals` on its own and prints how the ledger refused it.
pub async fn offer(service: &LedgerService, refusals: Vec<Refusal>) -> anyhow::Result<()> {
    for r in refusals {
        match service.append_at(vec![r.sub], r.recorded_at).await {
            Err(AppendError::Admit {
                source: AdmitError::Money(e),
                ..
            }) if e.code() == r.code => {
                println!(
                    "refused, as the rules require: {} — {} at {}: {e}",
                    r.what,
                    e.code(),
                    e.field()
                );
            }
            Err(e) => bail!(
                "BUG in the demo generator: {} was refused for another reason: {e}",
                r.what
            ),
            Ok(_) => bail!(
                "BUG: the ledger accepted {}, which breaks `{}`",
                r.what,
                r.code
            ),
        }
    }
    Ok(())
}
