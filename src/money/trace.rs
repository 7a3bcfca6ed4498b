//! Donor trace: where one donation's money went.
//!
//! Funds pay out first-in-first-out over their lots (see [`super::funds`]), so each disbursement
//! is split over the donations that were oldest in the fund when it was paid. A grant or a
//! closing leftover carries the pieces into the receiving project, where they queue behind the
//! money already there, and the trace follows them across organisations.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Kind, Uscc};

use super::funds::FundKey;
use super::state::MoneyState;
use super::types::{DonationForm, Ident, Money, SpendCategory};

/// The trace of one receipt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub org: Uscc,
    pub receipt_no: Ident,
    pub seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<Ident>,
    pub form: DonationForm,
    /// `None` for goods without a valuation: recorded by quantity, never traced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The parts of disbursements this donation paid for.
    pub spent: Vec<TraceSpend>,
    /// The parts of grants and closing leftovers that carried it to another project.
    pub moved: Vec<TraceMove>,
    /// What is still unspent, and where it sits.
    pub unspent: Vec<TraceUnspent>,
    pub spent_total: Money,
    pub unspent_total: Money,
}

/// A part of a disbursement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceSpend {
    pub seq: u64,
    pub fund: FundKey,
    pub amount: Money,
    pub category: SpendCategory,
    #[serde(with = "date_serde")]
    pub paid_on: time::Date,
    /// The transfers the money travelled through before it was spent.
    pub via: Vec<u64>,
}

/// A part of a grant or a closing leftover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceMove {
    pub seq: u64,
    pub kind: Kind,
    pub from: FundKey,
    pub to: FundKey,
    pub amount: Money,
    pub via: Vec<u64>,
}

/// Unspent money of the donation in one fund.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceUnspent {
    pub fund: FundKey,
    pub amount: Money,
}

impl MoneyState {
    /// The trace of the donation `receipt_no` of `org` in the effective view; `None` if there is
    /// no such donation or it was voided.
    pub fn trace(&self, org: &Uscc, receipt_no: &Ident) -> Option<Trace> {
        let d = self.donation(org, receipt_no)?;
        let key = (org.clone(), receipt_no.clone());
        let mut t = Trace {
            org: org.clone(),
            receipt_no: receipt_no.clone(),
            seq: d.seq,
            project: d.body.project.clone(),
            form: d.body.form,
            amount: d.body.value().map(|(a, _)| Money::from(a)),
            currency: d.body.value().map(|(_, c)| c),
            spent: Vec::new(),
            moved: Vec::new(),
            unspent: Vec::new(),
            spent_total: Money::ZERO,
            unspent_total: Money::ZERO,
        };
        let Some((amount, currency)) = d.body.value() else {
            return Some(t);
        };
        let mut sitting: BTreeMap<FundKey, Decimal> = BTreeMap::new();
        sitting.insert(
            FundKey {
                org: org.clone(),
                project: d.body.project.clone(),
                currency,
            },
            amount.decimal(),
        );
        for hop in self.books.funds.hops(&key) {
            *sitting.entry(hop.from.clone()).or_default() -= hop.amount;
            let via: Vec<u64> = hop.via.iter().copied().collect();
            match hop.to {
                Some(to) => {
                    *sitting.entry(to.clone()).or_default() += hop.amount;
                    t.moved.push(TraceMove {
                        seq: hop.seq,
                        kind: hop.kind,
                        from: hop.from,
                        to,
                        amount: Money(hop.amount),
                        via,
                    });
                }
                None => {
                    let spend = self.books.spends.get(&(hop.seq, 0));
                    t.spent_total = Money(t.spent_total.0 + hop.amount);
                    t.spent.push(TraceSpend {
                        seq: hop.seq,
                        fund: hop.from,
                        amount: Money(hop.amount),
                        category: spend.map_or(SpendCategory::Programme, |s| s.category),
                        paid_on: spend.map_or(d.body.received_on, |s| s.paid_on),
                        via,
                    });
                }
            }
        }
        for (fund, v) in sitting {
            if v != Decimal::ZERO {
                t.unspent_total = Money(t.unspent_total.0 + v);
                t.unspent.push(TraceUnspent {
                    fund,
                    amount: Money(v),
                });
            }
        }
        Some(t)
    }
}
