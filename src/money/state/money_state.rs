//! [`MoneyState`]: the raw log the model has accepted, and the books derived from its effective
//! view. Admitting an entry ([`super::admit`]) works on an O(1) clone and swaps it in only on
//! success, so a refusal never leaves a partial change behind.

use std::sync::Arc;

use crate::ledger::Uscc;
use crate::money::bodies::Body;
use crate::money::books::funds::FundKey;
use crate::money::books::records::Records;
use crate::money::books::{
    Books, Eff, GrantRecord, OrgRecord, ProjectRecord, RegulatorRecord, TrustRecord,
};
use crate::money::error::{MoneyError, Rule};
use crate::money::types::{Ident, Money};

use super::log::{EntryCtx, Log, Stored, voided_set};

/// The charity money model: rules before append, and every derived figure.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct MoneyState {
    pub(crate) log: Log,
    pub(crate) books: Books,
}

impl MoneyState {
    /// `ctx` as the next entry of the log, refused unless it comes after every entry admitted.
    pub(crate) fn next_entry(&self, ctx: &EntryCtx, body: Body) -> Result<Stored, MoneyError> {
        if self.log.last_seq.is_some_and(|last| ctx.seq <= last) {
            return Err(MoneyError::refused(
                "seq",
                Rule::OutOfOrder,
                "entries are admitted in seq order, once each",
            ));
        }
        Ok(Stored {
            seq: ctx.seq,
            recorded_at: ctx.recorded_at,
            author: ctx.submission.author.clone(),
            kind: ctx.submission.kind,
            body: Arc::new(body),
            amendment: None,
            corrected_by: Vec::new(),
        })
    }

    pub(super) fn admit_plain(&mut self, stored: Stored) -> Result<Records, MoneyError> {
        let claim = stored.body.claim(stored.author.org());
        if let Some((key, field)) = &claim
            && self.log.ids.contains(&key.fingerprint())
        {
            return Err(MoneyError::duplicate(*field, key.unique(), key.id()));
        }
        let rows = self.books.step(&Eff {
            seq: stored.seq,
            recorded_at: stored.recorded_at,
            author: &stored.author,
            body: &stored.body,
        })?;
        if let Some((key, _)) = claim {
            self.log.ids.insert(key.fingerprint());
        }
        self.log.last_seq = Some(stored.seq);
        Ok(Records {
            reset_from: None,
            rows,
        })
    }

    // ---- read side -------------------------------------------------------------------------

    pub fn regulators(&self) -> impl Iterator<Item = &RegulatorRecord> {
        self.books.regulators.values()
    }

    pub fn org(&self, id: &Uscc) -> Option<&OrgRecord> {
        self.books.orgs.get(id)
    }

    pub fn orgs(&self) -> impl Iterator<Item = &OrgRecord> {
        self.books.orgs.values()
    }

    pub fn project(&self, org: &Uscc, id: &Ident) -> Option<&ProjectRecord> {
        self.books.projects.get(&(org.clone(), id.clone()))
    }

    pub fn projects(&self) -> impl Iterator<Item = &ProjectRecord> {
        self.books.projects.values()
    }

    /// The balance of one fund (zero for a fund that never held money).
    pub fn balance(&self, fund: &FundKey) -> Money {
        Money(self.books.funds.balance(fund))
    }

    /// Every fund that ever held money, with its balance.
    pub fn balances(&self) -> Vec<(FundKey, Money)> {
        self.books
            .funds
            .balances()
            .map(|(k, v)| (k.clone(), Money(*v)))
            .collect()
    }

    /// An organisation's funds (unrestricted and per project) with their balances.
    pub fn org_balances(&self, org: &Uscc) -> Vec<(FundKey, Money)> {
        self.balances()
            .into_iter()
            .filter(|(k, _)| &k.org == org)
            .collect()
    }

    pub fn trust(&self, id: &Ident) -> Option<&TrustRecord> {
        self.books.trusts.get(id)
    }

    pub fn trusts(&self) -> impl Iterator<Item = &TrustRecord> {
        self.books.trusts.values()
    }

    pub fn lottery_grant(&self, administrator: &Uscc, grant_id: &Ident) -> Option<&GrantRecord> {
        self.books
            .grants
            .get(&(administrator.clone(), grant_id.clone()))
    }

    pub fn lottery_grants(&self) -> impl Iterator<Item = &GrantRecord> {
        self.books.grants.values()
    }

    /// The `goods/` summary rows ([`crate::money::books::goods::Goods::rows`]).
    pub fn goods_rows(&self, rows: &mut std::collections::BTreeMap<String, String>) {
        self.books.goods.rows(rows);
    }

    /// The derived books, for read paths this API does not cover yet.
    pub fn books(&self) -> &Books {
        &self.books
    }

    /// Whether entry `seq` is voided in the effective view.
    pub fn is_voided(&self, seq: u64) -> bool {
        voided_set(&self.log).contains(&seq)
    }

    /// The seqs of the corrections that target entry `seq` (live or voided), oldest first.
    pub fn corrections_of(&self, seq: u64) -> Vec<u64> {
        self.log
            .kept
            .get(&seq)
            .map(|s| s.corrected_by.clone())
            .unwrap_or_default()
    }

    /// The last seq admitted.
    pub fn last_seq(&self) -> Option<u64> {
        self.log.last_seq
    }
}
