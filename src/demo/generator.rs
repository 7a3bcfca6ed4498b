//! The generator's state: the roster, the shadow books it keeps so every entry it makes passes
//! the money rules (balances per fund, figures per organisation and year, trusts, grants, all in
//! `rust_decimal`), and how it signs and batches what it makes. An entry the ledger refuses is
//! a bug here.

use std::collections::BTreeMap;

use rand::Rng;
use rand_chacha::ChaCha20Rng;
use rust_decimal::Decimal;
use serde_json::Value;
use time::Date;

use super::corrections::Pending;
use super::names::{REGIONS, SURNAMES};
use super::{Batch, DemoOrg, derive, org_time, recorded_at, sha_hex};
use crate::ledger::submission::FORMAT_VERSION;
use crate::ledger::{
    Author, Kind, Nonce, SecretKey, SignedSubmission, Submission, Timestamp, Uscc,
};

/// The charity's role in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Behaviour {
    Normal,
    /// Administrative costs far above the cap.
    AdminHeavy,
    /// Hardly spends in 2025: charitable spending below 70% of 2024 revenue.
    Underspends,
    /// Publishes annual reports late.
    Late,
}

pub(super) struct Org {
    pub(super) d: DemoOrg,
    pub(super) region: usize,
    pub(super) theme: usize,
    pub(super) behaviour: Behaviour,
    pub(super) charity: bool,
    pub(super) receipts: u64,
    pub(super) projects: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct Project {
    pub(super) org: usize,
    pub(super) id: String,
    pub(super) purpose: &'static str,
    pub(super) start: Date,
    pub(super) end: Option<Date>,
    /// When the close entry is made (for projects with an end).
    pub(super) close_on: Option<Date>,
    pub(super) open: bool,
    pub(super) closed: bool,
    pub(super) emergency: bool,
    pub(super) last_update: Date,
    pub(super) raised: Decimal,
    pub(super) spent: Decimal,
    pub(super) beneficiaries: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Fig {
    pub(super) income: Decimal,
    pub(super) charitable: Decimal,
    pub(super) admin: Decimal,
    pub(super) fundraising: Decimal,
}

#[derive(Debug, Clone)]
pub(super) struct Trust {
    pub(super) id: String,
    pub(super) trustee: usize,
    pub(super) remaining: Decimal,
    pub(super) paid_by_year: BTreeMap<i32, Decimal>,
    pub(super) start: Date,
    /// Filed property, and receipts and fees by (year, "contribution" | "income" | "fee").
    pub(super) property: Decimal,
    pub(super) flows: BTreeMap<(i32, &'static str), Decimal>,
    pub(super) ended: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Grant {
    pub(super) id: String,
    pub(super) fiscal_year: i32,
    pub(super) recipient: usize,
    pub(super) purpose: &'static str,
    pub(super) amount: Decimal,
    pub(super) used: Decimal,
}

/// Who signs a submission.
#[derive(Clone, Copy)]
pub(super) enum Signer {
    Operator,
    Regulator,
    Org(usize),
}

pub(super) struct Gen {
    pub(super) seed: u64,
    pub(super) rng: ChaCha20Rng,
    pub(super) operator: SecretKey,
    pub(super) regulator: SecretKey,
    pub(super) regulator_id: Uscc,
    pub(super) orgs: Vec<Org>,
    pub(super) projects: Vec<Project>,
    /// Balance per (org, project or unrestricted); CNY only.
    pub(super) funds: BTreeMap<(usize, Option<usize>), Decimal>,
    /// Amount in a fund that must not be spent (a donation that will be voided).
    pub(super) held: BTreeMap<(usize, Option<usize>), Decimal>,
    /// Unrestricted gifts restricted until a later year, summed by (org, first usable year): the
    /// ledger refuses to spend them earlier (`time_restricted`). Summed, not listed, so the
    /// books stay the same size at any scale.
    pub(super) time_locked: BTreeMap<(usize, i32), Decimal>,
    pub(super) figs: BTreeMap<(usize, i32), Fig>,
    pub(super) trusts: Vec<Trust>,
    pub(super) grants: Vec<Grant>,
    pub(super) seq: u64,
    pub(super) day: Date,
    pub(super) batch: Vec<SignedSubmission>,
    /// Batches made and not yet taken (at most one: the day just simulated).
    pub(super) batches: Vec<Batch>,
    pub(super) donations: u64,
    pub(super) evidence: u64,
    /// Corrections to make on a later day.
    pub(super) pending: Vec<Pending>,
    /// Scripted donation mistakes made so far.
    pub(super) mistakes: u8,
    /// Public-fundraising changes made so far ([`org_time`]).
    pub(super) org_time: org_time::Shadow,
}

impl Gen {
    pub(super) fn trust_company(&self) -> usize {
        self.of_type("trust_company")
    }

    pub(super) fn lottery_admin(&self) -> usize {
        self.of_type("lottery_administrator")
    }

    /// The demo's one organisation of `org_type` (registered in [`Gen::new`]).
    pub(super) fn of_type(&self, org_type: &str) -> usize {
        self.orgs
            .iter()
            .position(|o| o.d.org_type == org_type)
            .unwrap_or_default()
    }

    /// Signs and queues one submission for today; returns its seq.
    pub(super) fn push(&mut self, signer: Signer, kind: Kind, body: Value) -> u64 {
        let at = recorded_at(self.day).unix();
        // Signed during the working day before the batch is recorded, in order.
        let time = Timestamp::from_unix((at - 6 * 3600 + 5 * self.batch.len() as i64).min(at))
            .unwrap_or_else(|| recorded_at(self.day));
        let nonce: Nonce = format!("demo-{}-{:09}", self.seed % 1_000_000, self.seq)
            .parse()
            .expect("demo nonces are well-formed");
        let sub = self.sign(signer, kind, body, time, nonce);
        self.batch.push(sub);
        self.seq += 1;
        self.seq - 1
    }

    /// One submission signed by `signer`.
    pub(super) fn sign(
        &self,
        signer: Signer,
        kind: Kind,
        body: Value,
        time: Timestamp,
        nonce: Nonce,
    ) -> SignedSubmission {
        let (author, key) = match signer {
            Signer::Operator => (Author::Operator, &self.operator),
            Signer::Regulator => (
                Author::Regulator(self.regulator_id.clone()),
                &self.regulator,
            ),
            Signer::Org(i) => (Author::Org(self.orgs[i].d.id.clone()), &self.orgs[i].d.key),
        };
        let sub = Submission {
            v: FORMAT_VERSION,
            kind,
            author,
            key: key.public(),
            time,
            nonce,
            body,
        };
        sub.sign(key)
    }

    pub(super) fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.batches.push(Batch {
                recorded_at: recorded_at(self.day),
                subs: std::mem::take(&mut self.batch),
            });
        }
    }

    pub(super) fn hash(&mut self, what: &str) -> String {
        self.evidence += 1;
        sha_hex(&derive(self.seed, &format!("doc/{what}/{}", self.evidence)))
    }

    pub(super) fn fig(&mut self, org: usize, year: i32) -> &mut Fig {
        self.figs.entry((org, year)).or_default()
    }

    pub(super) fn balance(&self, org: usize, project: Option<usize>) -> Decimal {
        self.funds.get(&(org, project)).copied().unwrap_or_default()
    }

    pub(super) fn spendable(&self, org: usize, project: Option<usize>) -> Decimal {
        let year = self.day.year();
        let locked: Decimal = if project.is_none() {
            self.time_locked
                .range((org, year + 1)..=(org, i32::MAX))
                .map(|(_, amount)| amount)
                .sum()
        } else {
            Decimal::ZERO
        };
        self.balance(org, project)
            - self.held.get(&(org, project)).copied().unwrap_or_default()
            - locked
    }

    pub(super) fn add_funds(&mut self, org: usize, project: Option<usize>, amount: Decimal) {
        *self.funds.entry((org, project)).or_default() += amount;
    }

    pub(super) fn masked_person(&mut self) -> String {
        let chars: Vec<char> = SURNAMES.chars().collect();
        let c = chars[self.rng.gen_range(0..chars.len())];
        let stars = if self.rng.gen_bool(0.7) { "*" } else { "**" };
        format!("{c}{stars}")
    }

    pub(super) fn city(&self, org: usize) -> &'static str {
        REGIONS[self.orgs[org].region].1
    }
}
