//! Funds, their balances, and the first-in-first-out lots that let a donor follow their money.
//!
//! A fund is one organisation's restricted money for one project, or its unrestricted money, in
//! one currency. Every unit of value in a fund is part of a *lot* that remembers the donation it
//! came from (its root receipt) and the transfers it travelled through. Spending takes lots from
//! the front; a transfer moves the taken pieces, roots intact, to the back of the receiving fund.
//! So the sum of a fund's lots always equals its balance, and tracing a receipt needs no search.
//!
//! A lot from a gift restricted until a later year (`restricted_until_year`) cannot be spent
//! before that year (issue 14): a draw dated earlier passes over it, first in, first out among
//! the rest, and is refused as `time_restricted` when the rest is not enough. Moved whole at a
//! project's close, such a lot keeps its restriction in the receiving fund.

use std::sync::Arc;

use imbl::{OrdMap, Vector};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ledger::{Currency, Kind, Uscc};

use crate::money::error::{MoneyError, Rule};
use crate::money::types::Ident;

/// One fund: an organisation's project (restricted) or its unrestricted money, in a currency.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, utoipa::ToSchema,
)]
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
    /// The first year this money may be spent, for a time-restricted gift.
    #[serde(default)]
    pub until: Option<i32>,
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
    /// Per fund, what its time-restricted lots still hold, by the year each is released: so a
    /// draw knows what it may not touch without walking the lots.
    #[serde(default)]
    locked: OrdMap<FundKey, OrdMap<i32, Decimal>>,
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

    /// What a fund holds that may not be spent in `year`: gifts restricted until a later year.
    pub fn locked_after(&self, key: &FundKey, year: i32) -> Decimal {
        self.locked
            .get(key)
            .map(|m| m.range(year + 1..).map(|(_, a)| *a).sum())
            .unwrap_or_default()
    }

    /// Refuses a draw beyond the fund's balance (`overdraft`) or, for a draw dated in `year`,
    /// beyond what is not restricted until a later year (`time_restricted`). Called before
    /// any change is made.
    pub fn check_draw(
        &self,
        key: &FundKey,
        amount: Decimal,
        field: &str,
        year: i32,
    ) -> Result<(), MoneyError> {
        let balance = self.balance(key);
        if amount > balance {
            return Err(MoneyError::Overdraft {
                field: field.to_owned(),
                fund: key.describe(),
                currency: key.currency,
                available: balance,
                requested: amount,
            });
        }
        let locked = self.locked_after(key, year);
        if amount > balance - locked {
            let release = self
                .locked
                .get(key)
                .and_then(|m| m.range(year + 1..).next().map(|(y, _)| *y))
                .unwrap_or(year + 1);
            return Err(MoneyError::refused(
                field,
                Rule::TimeRestricted,
                format!(
                    "{amount} {cur} exceeds the {usable} {cur} of {fund} usable in {year}: {locked} {cur} \
                     is restricted until {release} or later ({cite})",
                    cur = key.currency,
                    usable = balance - locked,
                    fund = key.describe(),
                    cite = crate::money::rules::restrictions::citation(Rule::TimeRestricted),
                ),
            ));
        }
        Ok(())
    }

    /// A donation's value enters a fund as a new lot at the back; `until` is the first year a
    /// time-restricted gift may be spent.
    pub fn receive(&mut self, key: FundKey, root: ReceiptKey, amount: Decimal, until: Option<i32>) {
        *self.balances.entry(key.clone()).or_default() += amount;
        self.lock(&key, until, amount);
        self.lots.entry(key).or_default().push_back(Lot {
            root,
            via: Via::from([]),
            remaining: amount,
            until,
        });
    }

    fn lock(&mut self, key: &FundKey, until: Option<i32>, amount: Decimal) {
        let Some(y) = until else { return };
        let m = self.locked.entry(key.clone()).or_default();
        let left = m.get(&y).copied().unwrap_or_default() + amount;
        if left.is_zero() {
            m.remove(&y);
        } else {
            m.insert(y, left);
        }
        if m.is_empty() {
            self.locked.remove(key);
        }
    }

    /// Money leaves `from` for good (a disbursement) in `year`. The caller has checked the draw.
    pub fn spend(&mut self, from: &FundKey, amount: Decimal, seq: u64, kind: Kind, year: i32) {
        self.move_out(from, None, amount, seq, kind, Some(year));
    }

    /// Money moves from one fund to another (a grant or a closing leftover), keeping its roots
    /// and restrictions. A grant dated in `year` draws only what is usable then; a closing
    /// leftover (`None`) moves everything, restricted or not.
    pub fn transfer(
        &mut self,
        from: &FundKey,
        to: &FundKey,
        amount: Decimal,
        seq: u64,
        kind: Kind,
        year: Option<i32>,
    ) {
        self.move_out(from, Some(to), amount, seq, kind, year);
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
        year: Option<i32>,
    ) {
        for lot in self.take(from, amount, year) {
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
            self.lock(to, lot.until, lot.remaining);
            self.lots.entry(to.clone()).or_default().push_back(Lot {
                root: lot.root,
                via,
                remaining: lot.remaining,
                until: lot.until,
            });
        }
    }

    fn record(&mut self, lot: &Lot, hop: Hop) {
        self.moved.push((lot.root.clone(), hop));
    }

    /// Takes `amount` from the front of the fund's lots, passing over lots restricted beyond
    /// `year` (none are passed over when `year` is `None`); returns the pieces taken.
    fn take(&mut self, from: &FundKey, amount: Decimal, year: Option<i32>) -> Vec<Lot> {
        *self.balances.entry(from.clone()).or_default() -= amount;
        let skip_after = year.filter(|y| !self.locked_after(from, *y).is_zero());
        let queue = self.lots.entry(from.clone()).or_default();
        let mut passed: Vec<Lot> = Vec::new();
        let mut left = amount;
        let mut taken = Vec::new();
        while left > Decimal::ZERO {
            let Some(front) = queue.front_mut() else {
                break;
            };
            if skip_after.is_some_and(|y| front.until.is_some_and(|u| u > y)) {
                if let Some(lot) = queue.pop_front() {
                    passed.push(lot);
                }
                continue;
            }
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
                    until: front.until,
                });
                left = Decimal::ZERO;
            }
        }
        // The restricted lots passed over keep their place at the front.
        for lot in passed.into_iter().rev() {
            queue.push_front(lot);
        }
        for lot in &taken {
            self.lock(from, lot.until, -lot.remaining);
        }
        taken
    }
}
