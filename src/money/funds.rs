//! Funds, their balances, and the first-in-first-out lots that let a donor follow their money.
//!
//! A fund is one organisation's restricted money for one project, or its unrestricted money, in
//! one currency. Every unit of value in a fund is part of a *lot* that remembers the donation it
//! came from (its root receipt) and the transfers it travelled through. Spending takes lots from
//! the front; a transfer moves the taken pieces, roots intact, to the back of the receiving fund.
//! So the sum of a fund's lots always equals its balance, and tracing a receipt needs no search.

use std::sync::Arc;

use imbl::{OrdMap, Vector};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ledger::{Currency, Kind, Uscc};

use super::error::MoneyError;
use super::types::Ident;

/// One fund: an organisation's project (restricted) or its unrestricted money, in a currency.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct FundKey {
    pub org: Uscc,
    /// `None` is the organisation's unrestricted fund.
    pub project: Option<Ident>,
    pub currency: Currency,
}

impl FundKey {
    /// How errors and view keys spell the fund: `ORG/project` or `ORG/unrestricted`.
    pub fn describe(&self) -> String {
        match &self.project {
            Some(p) => format!("{}/{p}", self.org),
            None => format!("{}/unrestricted", self.org),
        }
    }
}

/// A donation, named by the receiving organisation and its receipt number.
pub type ReceiptKey = (Uscc, Ident);

/// Part of a fund that came from one donation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lot {
    pub root: ReceiptKey,
    /// The seqs of the transfers (and closing leftovers) this money travelled through, in order.
    pub via: Via,
    pub remaining: Decimal,
}

/// A movement of part of one donation's money out of a fund.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub seq: u64,
    pub kind: Kind,
    pub from: FundKey,
    /// Where it went, for transfers; `None` for money spent.
    pub to: Option<FundKey>,
    pub amount: Decimal,
    /// The transfers the money had travelled through before this hop.
    pub via: Via,
}

/// The transfers a piece of money travelled through. Nearly always empty or one or two long, and
/// shared by every piece split from one lot: a shared slice costs 16 bytes where a persistent
/// vector allocated a whole chunk per piece (about 20 KB per traced donation).
pub type Via = Arc<[u64]>;

/// Balances and lots. The movements of each donation's money are not kept: each step hands them
/// out ([`Funds::take_moved`]) as records for the store, so memory holds only what is still in
/// the funds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Funds {
    balances: OrdMap<FundKey, Decimal>,
    lots: OrdMap<FundKey, Vector<Lot>>,
    /// The hops of the entry being stepped, with their donation; empty between steps.
    #[serde(skip)]
    moved: Vec<(ReceiptKey, Hop)>,
}

impl Funds {
    pub fn balance(&self, key: &FundKey) -> Decimal {
        self.balances.get(key).copied().unwrap_or_default()
    }

    /// Every fund that ever held money, with its balance (zero included).
    pub fn balances(&self) -> impl Iterator<Item = (&FundKey, &Decimal)> {
        self.balances.iter()
    }

    /// The hops made since the last call, in the order they were made (one step's).
    pub fn take_moved(&mut self) -> Vec<(ReceiptKey, Hop)> {
        std::mem::take(&mut self.moved)
    }

    /// The lots a fund holds, oldest first.
    pub fn lots(&self, key: &FundKey) -> Vec<Lot> {
        self.lots
            .get(key)
            .map(|v| v.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Refuses a draw beyond the fund's balance. Called before any change is made.
    pub fn check_draw(
        &self,
        key: &FundKey,
        amount: Decimal,
        field: &str,
    ) -> Result<(), MoneyError> {
        let available = self.balance(key);
        if amount > available {
            return Err(MoneyError::Overdraft {
                field: field.to_owned(),
                fund: key.describe(),
                currency: key.currency,
                available,
                requested: amount,
            });
        }
        Ok(())
    }

    /// A donation's value enters a fund as a new lot at the back.
    pub fn receive(&mut self, key: FundKey, root: ReceiptKey, amount: Decimal) {
        *self.balances.entry(key.clone()).or_default() += amount;
        self.lots.entry(key).or_default().push_back(Lot {
            root,
            via: Via::from([]),
            remaining: amount,
        });
    }

    /// Money leaves `from` for good (a disbursement). The caller has checked the balance.
    pub fn spend(&mut self, from: &FundKey, amount: Decimal, seq: u64, kind: Kind) {
        self.move_out(from, None, amount, seq, kind);
    }

    /// Money moves from one fund to another (a grant or a closing leftover), keeping its roots.
    pub fn transfer(
        &mut self,
        from: &FundKey,
        to: &FundKey,
        amount: Decimal,
        seq: u64,
        kind: Kind,
    ) {
        self.move_out(from, Some(to), amount, seq, kind);
    }

    /// Takes `amount` from `from` first in, first out, records each piece's hop, and (for a
    /// transfer) queues the pieces in `to` with their roots, so tracing continues there.
    fn move_out(
        &mut self,
        from: &FundKey,
        to: Option<&FundKey>,
        amount: Decimal,
        seq: u64,
        kind: Kind,
    ) {
        for lot in self.take(from, amount) {
            self.record(
                &lot,
                Hop {
                    seq,
                    kind,
                    from: from.clone(),
                    to: to.cloned(),
                    amount: lot.remaining,
                    via: lot.via.clone(),
                },
            );
            let Some(to) = to else { continue };
            let via: Via = lot.via.iter().copied().chain([seq]).collect();
            *self.balances.entry(to.clone()).or_default() += lot.remaining;
            self.lots.entry(to.clone()).or_default().push_back(Lot {
                root: lot.root,
                via,
                remaining: lot.remaining,
            });
        }
    }

    fn record(&mut self, lot: &Lot, hop: Hop) {
        self.moved.push((lot.root.clone(), hop));
    }

    /// Takes `amount` from the front of the fund's lots; returns the pieces taken.
    fn take(&mut self, from: &FundKey, amount: Decimal) -> Vec<Lot> {
        *self.balances.entry(from.clone()).or_default() -= amount;
        let queue = self.lots.entry(from.clone()).or_default();
        let mut left = amount;
        let mut taken = Vec::new();
        while left > Decimal::ZERO {
            let Some(front) = queue.front_mut() else {
                break;
            };
            if front.remaining <= left {
                left -= front.remaining;
                if let Some(lot) = queue.pop_front() {
                    taken.push(lot);
                }
            } else {
                front.remaining -= left;
                taken.push(Lot {
                    root: front.root.clone(),
                    via: front.via.clone(),
                    remaining: left,
                });
                left = Decimal::ZERO;
            }
        }
        taken
    }
}
