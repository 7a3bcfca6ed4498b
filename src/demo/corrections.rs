//! Corrections: the ones the history scheduled (a donation voided, one amended, a duplicate
//! disbursement voided), made on their day with what each changes in the shadow books.

use rust_decimal::Decimal;
use serde_json::Value;
use time::Date;

use super::generator::{Gen, Signer};
use crate::ledger::Kind;

/// A correction the history makes on a later day, and what it does to the shadow books then.
pub(super) struct Pending {
    pub(super) on: Date,
    pub(super) signer: Signer,
    pub(super) body: Value,
    pub(super) books: Undo,
}

/// What a pending correction changes in the shadow books when it is made.
pub(super) enum Undo {
    /// A donation recorded by mistake is voided: its held amount leaves the fund and the
    /// year's income.
    VoidDonation { org: usize, amount: Decimal },
    /// A donation's amount is amended upward by `added`.
    AmendDonation { org: usize, added: Decimal },
    /// A disbursement recorded twice is voided: its amount returns to the project's fund.
    VoidDisbursement {
        org: usize,
        project: usize,
        amount: Decimal,
    },
}

impl Gen {
    pub(super) fn corrections_today(&mut self) {
        let d = self.day;
        let (due, later) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.on == d);
        self.pending = later;
        let year = d.year();
        for Pending {
            signer,
            body,
            books,
            ..
        } in due
        {
            match books {
                Undo::VoidDonation { org, amount } => {
                    *self.held.entry((org, None)).or_default() -= amount;
                    self.add_funds(org, None, -amount);
                    self.fig(org, year).income -= amount;
                }
                Undo::AmendDonation { org, added } => {
                    self.add_funds(org, None, added);
                    self.fig(org, year).income += added;
                }
                Undo::VoidDisbursement {
                    org,
                    project,
                    amount,
                } => {
                    self.add_funds(org, Some(project), amount);
                    self.projects[project].spent -= amount;
                    self.fig(org, year).charitable -= amount;
                }
            }
            self.push(signer, Kind::Correction, body);
        }
    }
}
