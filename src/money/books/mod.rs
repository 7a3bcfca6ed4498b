//! The books: everything derived from the effective log (the log with corrections applied).
//!
//! [`Books::step`] checks one effective entry against every stateful rule and applies it. It is
//! the single code path for new entries and for replays after a correction, so a figure can never
//! depend on whether it was built incrementally or from scratch. `step` may leave the books half
//! changed when it refuses; callers always step a clone (O(1): persistent maps) and keep the
//! original on error.

//!
//! The room holds what money sits in and the steps that move it: [`funds`] (and their lots),
//! [`flows`] (donations, disbursements, grants), [`projects`], [`campaigns`], [`goods`],
//! [`trusts`], [`lottery`], [`org_time`], [`reports`] and [`disclosures`]; [`sums`] keeps the
//! running totals as entries step, [`records`] the rows an entry writes once, [`trace`] a
//! donor's trace composed from them.

pub mod campaigns;
pub mod charity_only;
pub mod disclosures;
pub mod flows;
pub mod funds;
pub mod goods;
pub mod lottery;
pub mod org_time;
pub mod projects;
pub mod records;
pub mod reports;
pub mod sums;
pub mod trace;
pub mod trusts;

use std::collections::BTreeMap;
use std::sync::Arc;

use imbl::{OrdMap, Vector};
use serde::Serialize;

use crate::ledger::time::date_serde;
use crate::ledger::{Author, Kind, Timestamp, Uscc};

use crate::money::bodies::checks::check_static;
use crate::money::bodies::{Body, OrgRegister, TrustFile};
use crate::money::error::{MoneyError, Rule, Thing};
use crate::money::types::{Ident, Money, SpendCategory};
use funds::{FundKey, Funds, ReceiptKey};
use records::{HopRow, Record};
use sums::Sums;

pub use lottery::{AnnounceRecord, GrantRecord, UsageRecord};
pub use projects::{CloseRecord, ProjectRecord, UpdateRecord};
pub use reports::{ExplanationRecord, ReportRecord};
pub use trusts::{TrustRecord, TrustReportRecord, TrustSpend};

/// An entry as the books see it: its effective body (amended if it was amended) and the time its
/// body was last written (an amendment's recording time), against which dates are checked.
#[derive(Debug, Clone, Copy)]
pub struct Eff<'a> {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub author: &'a Author,
    /// Shared with the log's copy, so the records that keep a body (donations) share it too.
    pub body: &'a Arc<Body>,
}

/// A regulator named in genesis.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RegulatorRecord {
    pub id: Uscc,
    pub name: String,
    pub seq: u64,
}

/// A registered organisation.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct OrgRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub register: OrgRegister,
}

/// A donation in the effective log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DonationRecord {
    pub seq: u64,
    pub org: Uscc,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: DonationBody,
}

/// A donation's body, shared with the log's copy of it rather than copied (donations are most
/// of a ledger, and their bodies most of its memory).
///
/// Made only from a donation entry's body.
#[derive(Debug, Clone)]
pub struct DonationBody(Arc<Body>);

impl DonationBody {
    /// `body` must be a donation's: any other kind is refused as `None`.
    pub(crate) fn new(body: Arc<Body>) -> DonationBody {
        debug_assert!(matches!(body.as_ref(), Body::Donation(_)));
        DonationBody(body)
    }
}

impl PartialEq for DonationBody {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::ops::Deref for DonationBody {
    type Target = crate::money::bodies::Donation;
    fn deref(&self) -> &Self::Target {
        match self.0.as_ref() {
            Body::Donation(d) => d,
            _ => unreachable!("DonationBody wraps only donation bodies"),
        }
    }
}

impl Serialize for DonationBody {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

/// Money leaving a fund: a disbursement, a grant, or a closing leftover (one per currency).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SpendRecord {
    pub seq: u64,
    pub kind: Kind,
    pub from: FundKey,
    /// The receiving fund of a grant or leftover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<FundKey>,
    pub amount: Money,
    pub category: SpendCategory,
    #[serde(with = "date_serde")]
    pub paid_on: time::Date,
    pub recorded_at: Timestamp,
    pub related_party: bool,
}

/// All derived state that the rules need, and the running sums. Cloning is O(1). What grows
/// with the log (donations, spends, hops) is handed out as [`Record`]s, not kept.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Books {
    pub regulators: OrdMap<Uscc, RegulatorRecord>,
    pub orgs: OrdMap<Uscc, OrgRecord>,
    pub projects: OrdMap<(Uscc, Ident), ProjectRecord>,
    /// `disclosure` entries, by seq (few: events the 2025 Measures name).
    pub disclosures: OrdMap<u64, disclosures::DisclosureRecord>,
    /// Donations received from related parties, by seq.
    pub related_donations: OrdMap<u64, disclosures::RelatedDonation>,
    /// Public fundraising campaigns, by organisation and id.
    pub campaigns: OrdMap<(Uscc, Ident), campaigns::CampaignRecord>,
    pub funds: Funds,
    /// The records of the entry being stepped; empty between steps.
    #[serde(skip)]
    emitted: Vec<Record>,
    pub trusts: OrdMap<Ident, TrustRecord>,
    pub grants: OrdMap<(Uscc, Ident), GrantRecord>,
    pub announcements: OrdMap<(Uscc, i32), AnnounceRecord>,
    /// `lottery.receive` entries by administrator and fiscal year.
    #[serde(default)]
    pub lottery_receipts: OrdMap<(Uscc, i32), Vector<lottery::funds::FundReceipt>>,
    pub reports: OrdMap<(Uscc, i32), ReportRecord>,
    pub explanations: OrdMap<(Uscc, i32), Vector<ExplanationRecord>>,
    /// Figures, totals and related-party payments summed as entries step.
    pub sums: Sums,
    /// Status and registration changes and opening balances ([`org_time`]).
    #[serde(default)]
    pub org_time: OrdMap<Uscc, org_time::OrgTimeline>,
    /// The goods ledger: in-kind gifts that name an item, as stock ([`goods`]).
    #[serde(default)]
    pub goods: goods::Goods,
}

impl Books {
    /// Checks `e` against the body-only rules and every stateful rule, applies it, and answers
    /// the records it wrote.
    pub fn step(&mut self, e: &Eff) -> Result<Vec<Record>, MoneyError> {
        self.emitted.clear();
        self.funds.take_moved();
        self.apply(e)?;
        let mut out = std::mem::take(&mut self.emitted);
        // A hop that spent money takes its category and date from the entry's disbursement.
        let spent = out.iter().find_map(|r| match r {
            Record::Spend((_, 0), s) if s.to.is_none() => Some((s.category, s.paid_on)),
            _ => None,
        });
        let mut index: BTreeMap<ReceiptKey, u32> = BTreeMap::new();
        for (receipt, hop) in self.funds.take_moved() {
            let i = index.entry(receipt.clone()).or_default();
            let spent = if hop.to.is_none() { spent } else { None };
            out.push(Record::Hop(receipt, HopRow::new(hop, *i, spent)));
            *i += 1;
        }
        Ok(out)
    }

    fn apply(&mut self, e: &Eff) -> Result<(), MoneyError> {
        check_static(e.body, "body", e.recorded_at)?;
        match e.body.as_ref() {
            Body::Genesis(g) => {
                for r in &g.regulators {
                    self.regulators.insert(
                        r.id.clone(),
                        RegulatorRecord {
                            id: r.id.clone(),
                            name: r.name.clone(),
                            seq: e.seq,
                        },
                    );
                }
                Ok(())
            }
            Body::OrgRegister(b) => {
                if b.public_fundraising {
                    charity_only::may_hold_fundraising_status(
                        &b.org,
                        b.org_type,
                        "body.public_fundraising",
                    )?;
                }
                if self.orgs.contains_key(&b.org) {
                    return Err(MoneyError::duplicate(
                        "body.org",
                        crate::money::error::Unique::Org,
                        &b.org,
                    ));
                }
                self.orgs.insert(
                    b.org.clone(),
                    OrgRecord {
                        seq: e.seq,
                        recorded_at: e.recorded_at,
                        register: b.clone(),
                    },
                );
                Ok(())
            }
            Body::OrgKeys(b) => {
                self.org(&b.org, "body.org")?;
                Ok(())
            }
            Body::OrgFundraising(b) => self.org_fundraising(e, b),
            Body::OrgChange(b) => self.org_change(e, b),
            Body::OrgOpening(b) => self.org_opening(e, b),
            Body::ProjectOpen(b) => self.project_open(e, b),
            Body::ProjectUpdate(b) => self.project_update(e, b),
            Body::ProjectClose(b) => self.project_close(e, b),
            Body::CampaignOpen(b) => self.campaign_open(e, b),
            Body::CampaignUpdate(b) => self.campaign_update(e, b),
            Body::CampaignClose(b) => self.campaign_close(e, b),
            Body::Donation(_) => self.donation(e, DonationBody::new(e.body.clone())),
            Body::Disbursement(b) => self.disbursement(e, b),
            Body::GrantTransfer(b) => self.grant_transfer(e, b),
            Body::GoodsDistribute(b) => self.goods_distribute(e, b),
            Body::TrustFile(b) => self.trust_file(e, b),
            Body::TrustDisburse(b) => self.trust_disburse(e, b),
            Body::TrustReport(b) => self.trust_report(e, b),
            Body::LotteryGrant(b) => self.lottery_grant(e, b),
            Body::LotteryUsage(b) => self.lottery_usage(e, b),
            Body::LotteryAnnounce(b) => self.lottery_announce(e, b),
            Body::TrustReceive(b) => self.trust_receive(e, b),
            Body::TrustFee(b) => self.trust_fee(e, b),
            Body::TrustTerminate(b) => self.trust_terminate(e, b),
            Body::LotteryReceive(b) => self.lottery_receive(e, b),
            Body::ReportAnnual(b) => self.report_annual(e, b),
            Body::Explanation(b) => self.explanation(e, b),
            Body::Disclosure(b) => self.disclosure(e, b),
            // Corrections change which bodies are effective; the state replays, never steps them.
            Body::Correction(_) => Ok(()),
        }
    }

    /// A registered organisation, or `unknown_org` at `field`.
    pub fn org(&self, id: &Uscc, field: &str) -> Result<&OrgRecord, MoneyError> {
        self.orgs
            .get(id)
            .ok_or_else(|| MoneyError::unknown(field, Thing::Org, id))
    }

    /// The organisation the entry's author speaks for.
    pub fn author_org(&self, e: &Eff) -> Result<OrgRecord, MoneyError> {
        let not_org = || {
            MoneyError::refused(
                "author",
                Rule::NotAnOrg,
                "only a registered organisation makes this entry",
            )
        };
        let id = e.author.org().ok_or_else(not_org)?;
        self.orgs.get(id).cloned().ok_or_else(not_org)
    }

    /// A project of `org`, or `unknown_project` at `field`; with `open`, `project_closed` if
    /// it has been closed.
    pub fn project(
        &self,
        org: &Uscc,
        id: &Ident,
        field: &str,
        open: bool,
    ) -> Result<&ProjectRecord, MoneyError> {
        let p = self
            .projects
            .get(&(org.clone(), id.clone()))
            .ok_or_else(|| MoneyError::unknown(field, Thing::Project, format!("{org}/{id}")))?;
        if open && p.closed.is_some() {
            return Err(MoneyError::refused(
                field,
                Rule::ProjectClosed,
                format!("project {id} is closed"),
            ));
        }
        Ok(p)
    }

    /// Records money leaving a fund.
    pub(crate) fn add_spend(&mut self, key: (u64, u32), rec: SpendRecord) {
        self.count_spend(key, &rec);
        self.emitted.push(Record::Spend(key, rec));
    }

    /// Records what a rule outside this file wrote (the goods ledger's records).
    pub(crate) fn emit(&mut self, rec: Record) {
        self.emitted.push(rec);
    }

    /// Records a donation.
    pub(crate) fn add_donation(&mut self, rec: DonationRecord) {
        self.emitted.push(Record::Donation(rec));
    }

    /// A trust filed by a regulator; trust property lives apart from organisations' funds.
    pub(crate) fn file_trust(&mut self, e: &Eff, b: &TrustFile, filed_by: Uscc) {
        self.trusts
            .insert(b.trust_id.clone(), TrustRecord::new(e, b, filed_by));
    }
}
