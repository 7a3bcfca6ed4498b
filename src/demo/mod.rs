//! A realistic, deterministic demo ledger (`sunshine demo`): a provincial civil-affairs
//! regulator, about forty organisations, their projects, `scale` donations and everything that
//! follows from them over a simulated history from 2024-01-01 to 2026-11-01.
//!
//! Pure: [`generate`] returns the keys and an iterator of the signed submissions in day-sized
//! batches with their recording times, made as they are taken (a million-entry demo never sits
//! in memory, and the generator's own state is the same size at any scale: see [`days`] and
//! [`donations`]); the CLI adapter (`cli::demo`) writes key files and appends them. Everything
//! is derived from the seed (keys by [`SecretKey::from_seed`], nonces, receipt secrets, amounts,
//! dates), so the same seed and scale give a byte-identical ledger.
//!
//! The generator keeps its own shadow books ([`generator`]: balances per fund, figures per
//! organisation and year, grants, trusts, all in `rust_decimal`) so every entry it makes passes
//! the money rules; an entry the ledger refuses is a bug here. On purpose, the history also holds things a regulator should see: one public
//! foundation whose administrative costs exceed the 10% cap, one organisation whose charitable
//! spending falls below 70% of the prior year's revenue (with an explanation), late annual
//! reports, a late trust filing and trust report, a late lottery announcement, a late related-party
//! disclosure, a project closed late, and corrections (void and amend). Every disclosure
//! obligation kind (issue 15) is there met, late and missing — public fundraising campaigns
//! (updates, final report, partners' evaluation), the related-party list, trusts set up as
//! settlor, annual reports with and without their audit or major projects, a lottery fiscal
//! year never announced — except missing where it cannot be: a related-party transaction, a
//! major event and a trust filing are known to the ledger only through the entry that
//! discloses them (tests/demo_import.rs checks each). Organisations change over time too
//! ([`org_time`]): an endowed foundation joins with its opening balance, a report carries audited
//! figures, a status is granted and another revoked, a social group is renamed.
//!
//! # Layout
//! One module per thing the history makes; each adds the methods of [`generator::Gen`] that
//! make its entries, and [`days`] calls them in a fixed order every day.
//! - [`calendar`], [`names`], [`keys`], [`amounts`]: the history's days, the names it writes,
//!   what it derives from the seed, and how it keeps money.
//! - [`generator`]: the generator's state and shadow books; how it signs and batches.
//! - [`registration`]: the roster, genesis and the organisations' registrations.
//! - [`days`]: the day loop, the iterator of batches the CLI appends.
//! - [`donations`], [`disbursements`], [`projects`], [`corrections`]: the money of the history.
//! - [`reports`], [`disclosures`], [`scripted`]: annual reports, disclosure duties, one-off
//!   events.
//! - [`trusts`], [`lottery`], [`goods`], [`org_time`]: trusts, welfare lottery funds, goods, and
//!   organisations that change over time.

mod amounts;
mod calendar;
mod corrections;
mod days;
mod disbursements;
mod disclosures;
mod donations;
mod generator;
mod goods;
mod keys;
mod lottery;
mod names;
mod org_time;
mod projects;
mod registration;
mod reports;
mod scripted;
mod trusts;

use amounts::{at_rate, cents, rate_of, share, yuan, yuan_text};
use calendar::{date, day_str, on, recorded_at};
use generator::Gen;
use keys::{finance_key, operator_key, org_key, regulator_key, sha_hex};

pub use calendar::{FIRST_DAY, LAST_DAY};
pub use days::Days;
pub use goods::Refusal;
pub use keys::{derive, receipt_secret};

use crate::ledger::{SecretKey, SignedSubmission, Timestamp, Uscc};

/// The smallest scale that still produces every entry kind.
pub const MIN_SCALE: u64 = 100;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Number of donations.
    pub scale: u64,
    /// The log's origin (checkpoint name).
    pub origin: String,
}

/// An organisation of the demo, with its signing key.
pub struct DemoOrg {
    /// File name stem of its key (`keys/demo/<key_name>.key`).
    pub key_name: String,
    pub id: Uscc,
    pub name: String,
    pub org_type: &'static str,
    pub public_fundraising: bool,
    pub key: SecretKey,
}

/// One day's entries, all recorded at `recorded_at`.
#[derive(Debug, Clone)]
pub struct Batch {
    pub recorded_at: Timestamp,
    pub subs: Vec<SignedSubmission>,
}

/// The generated ledger and the keys that signed it.
pub struct Demo {
    pub operator: SecretKey,
    pub regulator: SecretKey,
    pub regulator_id: Uscc,
    pub orgs: Vec<DemoOrg>,
    /// Extra keys registered later with `org.keys`: (key file stem, key).
    pub extra_keys: Vec<(String, SecretKey)>,
    /// The submissions, a day at a time.
    pub days: Days,
}

/// Why a demo cannot be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("--scale must be at least {MIN_SCALE} so that every entry kind appears")]
    ScaleTooSmall,
}

/// Builds the demo ledger. Deterministic in `opts`.
pub fn generate(opts: &Options) -> Result<Demo, DemoError> {
    if opts.scale < MIN_SCALE {
        return Err(DemoError::ScaleTooSmall);
    }
    let mut g = Gen::new(opts.seed);
    g.genesis(opts);
    g.plan_projects();
    let plan = g.plan_donations(opts.scale);
    Ok(Demo {
        operator: operator_key(opts.seed),
        regulator: regulator_key(opts.seed),
        regulator_id: g.regulator_id.clone(),
        orgs: g
            .orgs
            .iter()
            .map(|o| DemoOrg {
                key_name: o.d.key_name.clone(),
                id: o.d.id.clone(),
                name: o.d.name.clone(),
                org_type: o.d.org_type,
                public_fundraising: o.d.public_fundraising,
                key: org_key(opts.seed, &o.d.key_name),
            })
            .collect(),
        extra_keys: vec![(
            format!("{}-finance", g.orgs[0].d.key_name),
            finance_key(opts.seed),
        )],
        days: Days::new(g, plan),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_submissions() {
        let o = Options {
            seed: 7,
            scale: 150,
            origin: "demo.test/sunshine".into(),
        };
        let subs = |d: Demo| -> Vec<SignedSubmission> { d.days.flat_map(|b| b.subs).collect() };
        let a = generate(&o).map(subs).map_err(|e| e.to_string());
        let b = generate(&o).map(subs).map_err(|e| e.to_string());
        assert_eq!(a, b);
    }
}
