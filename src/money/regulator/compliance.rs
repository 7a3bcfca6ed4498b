//! Regulator ratio figures: how a charity's charitable spending and
//! administrative costs compare with the legal minimums and caps.
//!
//! The thresholds come from data (`compliance_rules.json`, embedded with
//! `include_str!`), not code. When a regulation is revised, the change is an
//! edit to the data file, and every row cites the law, article and date it
//! comes from. Each row also carries a `verification` level, so a figure whose
//! source could not be checked says so in the [`Figure::source`] text shown to
//! readers.
//!
//! Everything here is pure: no I/O, no clock, no floats. Pass/fail is decided
//! by exact decimal arithmetic (`spending >= ratio * base`), never by comparing
//! a rounded ratio. Exactly 70% passes and 69.99% fails, with no rounding in
//! between to push a borderline case the wrong way.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// The default rule table, embedded at compile time so a release always
/// carries the rules it was tested with.
const DEFAULT_RULES_JSON: &str = include_str!("compliance_rules.json");

/// Decimal places in the published ratio. Four places is what annual reports
/// print (e.g. 69.99%).
const RATIO_DP: u32 = 4;

/// Legal form of the organisation. The regulations set different thresholds
/// for each form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgType {
    /// 基金会
    Foundation,
    /// 社会团体
    SocialGroup,
    /// 社会服务机构 (formerly 民办非企业单位)
    SocialServiceOrg,
}

pub use crate::money::rules::{Source, Verification};

/// The base a spending minimum is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendingBase {
    /// Prior-year total revenue, adjusted per the 2016 rule Art. 10 when the
    /// rule has a `revenue_adjustment` source.
    PriorYearRevenue,
    /// Net assets at the end of the prior year.
    PriorYearEndNetAssets,
}

/// A spending minimum: `charitable_spending >= min_ratio * base`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendingRequirement {
    /// Stable id of the figure this requirement produces.
    pub id: String,
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
    /// What the minimum is measured against.
    pub base: SpendingBase,
    /// The minimum ratio, e.g. `0.70`.
    #[serde(with = "rust_decimal::serde::str")]
    pub min_ratio: Decimal,
    /// Key into [`RuleTable::sources`].
    pub source: String,
}

/// An administrative-cost cap: `admin_costs <= max_ratio * total_spending`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminCap {
    /// Stable id of the figure this cap produces.
    pub id: String,
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
    /// The maximum ratio, e.g. `0.10`.
    #[serde(with = "rust_decimal::serde::str")]
    pub max_ratio: Decimal,
    /// Key into [`RuleTable::sources`].
    pub source: String,
}

/// One net-asset band of a rule. A rule that does not depend on net assets
/// has a single tier with both bounds absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Stable id of the band, for diagnostics.
    pub id: String,
    /// Inclusive lower bound on prior-year-end net assets ("高于X（含本数）").
    #[serde(with = "rust_decimal::serde::str_option")]
    pub net_assets_at_least: Option<Decimal>,
    /// Exclusive upper bound ("低于X").
    #[serde(with = "rust_decimal::serde::str_option")]
    pub net_assets_below: Option<Decimal>,
    /// Spending minimums. All must hold. The lowest band of Art. 9 has two.
    pub spending: Vec<SpendingRequirement>,
    /// The admin-cost cap for this band.
    pub admin: AdminCap,
}

impl Tier {
    fn is_unbounded(&self) -> bool {
        self.net_assets_at_least.is_none() && self.net_assets_below.is_none()
    }

    fn contains(&self, net_assets: Decimal) -> bool {
        self.net_assets_at_least.is_none_or(|lo| net_assets >= lo)
            && self.net_assets_below.is_none_or(|hi| net_assets < hi)
    }
}

/// Admin costs strictly below `below` are exempt from the ratio cap (2016
/// rule Art. 11: "低于20万元"). So exactly 200,000.00 is not exempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminExemption {
    /// Exempt when admin costs are strictly below this amount (yuan).
    #[serde(with = "rust_decimal::serde::str")]
    pub below: Decimal,
    /// Key into [`RuleTable::sources`].
    pub source: String,
}

/// One row of the table: which organisations it covers, for which years, and
/// its bands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, for diagnostics.
    pub id: String,
    /// Organisation types covered.
    pub org_types: Vec<OrgType>,
    /// Whether the row covers organisations with (true) or without (false)
    /// public-fundraising status.
    pub public_fundraising: bool,
    /// First evaluated year covered (inclusive). `None` = no lower limit. Lets a
    /// revised regulation be added as a new row without rewriting history.
    pub valid_from_year: Option<i32>,
    /// Last evaluated year covered (inclusive). `None` = still in force.
    pub valid_to_year: Option<i32>,
    /// Source allowing the prior-three-years average as an alternative base.
    /// `None` = no such alternative.
    pub three_year_average: Option<String>,
    /// Source for adjusting revenue for time restrictions. `None` = use raw revenue.
    pub revenue_adjustment: Option<String>,
    /// Small-admin-cost exemption, where the rule grants one.
    pub admin_exemption: Option<AdminExemption>,
    /// Net-asset bands. Must not overlap.
    pub tiers: Vec<Tier>,
}

impl Rule {
    fn covers(&self, facts: &OrgYearFacts) -> bool {
        self.org_types.contains(&facts.org_type)
            && self.public_fundraising == facts.public_fundraising
            && self.covers_year(facts.year)
    }

    fn covers_year(&self, year: i32) -> bool {
        self.valid_from_year.is_none_or(|y| year >= y)
            && self.valid_to_year.is_none_or(|y| year <= y)
    }
}

/// The whole rule table, as parsed from JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTable {
    /// Format version of the data file.
    pub schema: u32,
    /// Cited sources, by id.
    pub sources: BTreeMap<String, Source>,
    /// Rows. At most one may cover any (org type, fundraising status, year).
    pub rules: Vec<Rule>,
}

/// Why a rule table was rejected. A rejected table yields no figures, because
/// a mis-keyed threshold would publish wrong verdicts about real charities.
#[derive(Debug, thiserror::Error)]
pub enum RuleTableError {
    /// The JSON did not match the schema.
    #[error("rule table JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
    /// Only schema 1 is understood.
    #[error("unsupported rule table schema {0}")]
    Schema(u32),
    /// A row cites a source id that is not in `sources`.
    #[error("rule `{rule}` cites unknown source `{source_id}`")]
    UnknownSource {
        /// The citing rule.
        rule: String,
        /// The missing source id.
        source_id: String,
    },
    /// A ratio is outside `[0, 1]`.
    #[error("rule `{rule}`, figure `{figure}`: ratio {ratio} is outside 0..=1")]
    RatioOutOfRange {
        /// The rule.
        rule: String,
        /// The figure id.
        figure: String,
        /// The bad ratio.
        ratio: Decimal,
    },
    /// A structural problem: empty tiers, overlapping bands or rows, bad dates.
    #[error("invalid rule table: {0}")]
    Invalid(String),
}

impl RuleTable {
    /// Parses and validates a table. Use this for a table loaded from
    /// elsewhere, e.g. a proposed revision under review.
    pub fn from_json(json: &str) -> Result<Self, RuleTableError> {
        let table: RuleTable = serde_json::from_str(json)?;
        table.validate()?;
        Ok(table)
    }

    /// The small-admin-cost exemption of the row covering `org_type`, fundraising status and
    /// `year`, if it grants one: what a reader of an exempt figure is told it was exempt under.
    pub fn admin_exemption(
        &self,
        org_type: OrgType,
        public_fundraising: bool,
        year: i32,
    ) -> Option<&AdminExemption> {
        self.rules
            .iter()
            .find(|r| {
                r.org_types.contains(&org_type)
                    && r.public_fundraising == public_fundraising
                    && r.covers_year(year)
            })
            .and_then(|r| r.admin_exemption.as_ref())
    }

    /// The row that applies to `facts`, if any.
    pub fn rule_for(&self, facts: &OrgYearFacts) -> Option<&Rule> {
        self.rules.iter().find(|r| r.covers(facts))
    }

    fn source_text(&self, id: &str) -> String {
        // Validation guarantees every cited id exists. The fallback only
        // serves tables built in code that skipped validation.
        self.sources
            .get(id)
            .map_or_else(|| format!("[unknown source `{id}`]"), Source::display)
    }

    fn validate(&self) -> Result<(), RuleTableError> {
        if self.schema != 1 {
            return Err(RuleTableError::Schema(self.schema));
        }
        for (id, source) in &self.sources {
            source.check_dates(id).map_err(RuleTableError::Invalid)?;
        }
        let known = |rule: &Rule, id: &str| -> Result<(), RuleTableError> {
            if self.sources.contains_key(id) {
                Ok(())
            } else {
                Err(RuleTableError::UnknownSource {
                    rule: rule.id.clone(),
                    source_id: id.to_owned(),
                })
            }
        };
        let unit = |rule: &Rule, figure: &str, ratio: Decimal| -> Result<(), RuleTableError> {
            if ratio >= Decimal::ZERO && ratio <= Decimal::ONE {
                Ok(())
            } else {
                Err(RuleTableError::RatioOutOfRange {
                    rule: rule.id.clone(),
                    figure: figure.to_owned(),
                    ratio,
                })
            }
        };
        for rule in &self.rules {
            if rule.org_types.is_empty() || rule.tiers.is_empty() {
                return Err(RuleTableError::Invalid(format!(
                    "rule `{}` needs at least one org type and one tier",
                    rule.id
                )));
            }
            if let (Some(from), Some(to)) = (rule.valid_from_year, rule.valid_to_year)
                && from > to
            {
                return Err(RuleTableError::Invalid(format!(
                    "rule `{}` has valid_from_year after valid_to_year",
                    rule.id
                )));
            }
            for id in [&rule.three_year_average, &rule.revenue_adjustment]
                .into_iter()
                .flatten()
            {
                known(rule, id)?;
            }
            if let Some(ex) = &rule.admin_exemption {
                known(rule, &ex.source)?;
                if ex.below < Decimal::ZERO {
                    return Err(RuleTableError::Invalid(format!(
                        "rule `{}` has a negative admin exemption",
                        rule.id
                    )));
                }
            }
            for tier in &rule.tiers {
                if tier.spending.is_empty() {
                    return Err(RuleTableError::Invalid(format!(
                        "rule `{}` tier `{}` has no spending requirement",
                        rule.id, tier.id
                    )));
                }
                if let (Some(lo), Some(hi)) = (tier.net_assets_at_least, tier.net_assets_below)
                    && lo >= hi
                {
                    return Err(RuleTableError::Invalid(format!(
                        "rule `{}` tier `{}` has an empty net-asset band",
                        rule.id, tier.id
                    )));
                }
                for req in &tier.spending {
                    known(rule, &req.source)?;
                    unit(rule, &req.id, req.min_ratio)?;
                }
                known(rule, &tier.admin.source)?;
                unit(rule, &tier.admin.id, tier.admin.max_ratio)?;
            }
            if rule.tiers.len() > 1 && rule.tiers.iter().any(Tier::is_unbounded) {
                return Err(RuleTableError::Invalid(format!(
                    "rule `{}` mixes an unbounded tier with other tiers",
                    rule.id
                )));
            }
            for (i, a) in rule.tiers.iter().enumerate() {
                for b in &rule.tiers[i + 1..] {
                    if bands_overlap(a, b) {
                        return Err(RuleTableError::Invalid(format!(
                            "rule `{}`: tiers `{}` and `{}` overlap",
                            rule.id, a.id, b.id
                        )));
                    }
                }
            }
        }
        for (i, a) in self.rules.iter().enumerate() {
            for b in &self.rules[i + 1..] {
                let same_orgs = a.org_types.iter().any(|t| b.org_types.contains(t));
                let years_overlap = a.valid_from_year.max(b.valid_from_year).is_none_or(|lo| {
                    let hi = match (a.valid_to_year, b.valid_to_year) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    };
                    hi.is_none_or(|hi| lo <= hi)
                });
                if same_orgs && a.public_fundraising == b.public_fundraising && years_overlap {
                    return Err(RuleTableError::Invalid(format!(
                        "rules `{}` and `{}` both cover the same organisations and years",
                        a.id, b.id
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Whether two half-open bands `[lo, hi)` share any value (absent bounds are infinite).
fn bands_overlap(a: &Tier, b: &Tier) -> bool {
    let below = |hi: Option<Decimal>, lo: Option<Decimal>| match (hi, lo) {
        (Some(hi), Some(lo)) => hi <= lo,
        _ => false,
    };
    !(below(a.net_assets_below, b.net_assets_at_least)
        || below(b.net_assets_below, a.net_assets_at_least))
}

static DEFAULT_TABLE: OnceLock<Result<RuleTable, RuleTableError>> = OnceLock::new();

/// The embedded default table, parsed and validated once.
///
/// Returns an error rather than panicking so a bad data edit shows up as a
/// reported failure. A unit test proves the shipped data parses.
pub fn default_table() -> Result<&'static RuleTable, &'static RuleTableError> {
    DEFAULT_TABLE
        .get_or_init(|| RuleTable::from_json(DEFAULT_RULES_JSON))
        .as_ref()
}

/// Revenue of one year, with the restriction adjustments of the 2016 rule Art. 10.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRevenue {
    /// Total revenue actually recognised in the year (上年实际收入).
    #[serde(with = "rust_decimal::serde::str")]
    pub actual: Decimal,
    /// Part of `actual` that donors time-restricted so it could not be used
    /// in that year (时间限定为上年不得使用的限定性收入). Subtracted from the base.
    #[serde(with = "rust_decimal::serde::str")]
    pub restricted_to_later_years: Decimal,
    /// Net assets released from a time restriction during that year
    /// (于上年解除时间限定的净资产). Added to the base.
    #[serde(with = "rust_decimal::serde::str")]
    pub released_from_restriction: Decimal,
}

impl YearRevenue {
    /// Revenue in the sense of Art. 10: actual - restricted + released.
    /// `None` only on decimal overflow.
    pub fn adjusted(&self) -> Option<Decimal> {
        self.actual
            .checked_sub(self.restricted_to_later_years)?
            .checked_add(self.released_from_restriction)
    }
}

/// What the caller knows about one organisation for the year being evaluated.
/// All amounts are in yuan. Amounts are whatever the caller's ledger says; no
/// sign checks are imposed, because a negative net-asset figure is a real
/// (insolvent) state, not an input error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgYearFacts {
    /// Legal form.
    pub org_type: OrgType,
    /// Whether the organisation held public-fundraising status in `year`.
    pub public_fundraising: bool,
    /// The year being evaluated (spending and admin costs are this year's).
    pub year: i32,
    /// Revenue per year. The rules read `year - 1`, and `year - 1 ..= year - 3`
    /// for the three-year average. Other years are ignored.
    pub revenue_by_year: BTreeMap<i32, YearRevenue>,
    /// Net assets at the end of each year. The band and the base read `year - 1`,
    /// and the three-year average reads `year - 1 ..= year - 3`.
    pub net_assets_end_by_year: BTreeMap<i32, Decimal>,
    /// Charitable-activity spending in `year` (慈善活动支出).
    #[serde(with = "rust_decimal::serde::str")]
    pub charitable_spending: Decimal,
    /// Administrative costs in `year` (管理费用).
    #[serde(with = "rust_decimal::serde::str")]
    pub admin_costs: Decimal,
    /// Total spending in `year` (当年总支出), the admin ratio's denominator.
    #[serde(with = "rust_decimal::serde::str")]
    pub total_spending: Decimal,
    /// Whether the organisation has published an explanation of a shortfall
    /// (Charity Law Art. 61 para. 2; 2016 rule Art. 12). Recorded on failing
    /// figures only. It does not turn a failure into a pass.
    pub has_explanation: bool,
}

impl OrgYearFacts {
    fn revenue(&self, rule: &Rule, year: i32) -> Option<Decimal> {
        let r = self.revenue_by_year.get(&year)?;
        if rule.revenue_adjustment.is_some() {
            r.adjusted()
        } else {
            Some(r.actual)
        }
    }

    fn base(&self, rule: &Rule, base: SpendingBase, year: i32) -> Option<Decimal> {
        match base {
            SpendingBase::PriorYearRevenue => self.revenue(rule, year),
            SpendingBase::PriorYearEndNetAssets => self.net_assets_end_by_year.get(&year).copied(),
        }
    }

    /// Average of the base over `year-1 ..= year-3`. `None` when any of the
    /// three years is missing: averaging fewer years would be a different rule.
    fn base_avg3(&self, rule: &Rule, base: SpendingBase) -> Option<Decimal> {
        let mut sum = Decimal::ZERO;
        for back in 1..=3 {
            sum = sum.checked_add(self.base(rule, base, self.year - back)?)?;
        }
        sum.checked_div(Decimal::from(3))
    }
}

/// Direction of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RatioComparison)]
pub enum Cmp {
    /// The value must be at least the threshold (spending minimums).
    AtLeast,
    /// The value must be at most the threshold (admin caps).
    AtMost,
}

/// Outcome of one figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RatioStatus)]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// The requirement does not hold.
    Fail,
    /// A needed input is missing (or the arithmetic overflowed), so no verdict is given.
    NotEnoughData,
    /// The requirement does not apply (small admin costs).
    Exempt,
    /// The year is not over on the day the figures are read, so no verdict is given yet: its
    /// spending and costs are still growing, and a shortfall in March is not a failure.
    InProgress,
}

/// What the figure's ratio was measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RatioBasis)]
pub enum Basis {
    /// Prior-year revenue or prior-year-end net assets.
    PriorYear,
    /// Average of the prior three years (the allowed alternative).
    ThreeYearAverage,
    /// The evaluated year's own total spending (admin ratio).
    CurrentYear,
}

/// One basis a figure was measured against, with its own label, base, ratio and verdict, so a
/// reader sees the prior-year figure that failed next to the three-year average that passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = RatioBasisFigure)]
pub struct BasisFigure {
    /// Which base this is.
    pub basis: Basis,
    /// Chinese label naming this base (wording of the 2016 rule Art. 10).
    pub label_zh: String,
    /// English label naming this base.
    pub label_en: String,
    /// The base amount (the ratio's denominator). `None` when a year it needs is missing.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>)]
    pub base: Option<Decimal>,
    /// The ratio against this base, rounded for display as [`Figure::value`].
    #[serde(with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
    /// This basis's own verdict, decided by exact arithmetic.
    pub status: Status,
}

/// One published figure (named `RatioFigure` in the OpenAPI document: a view row's money
/// figure is `Figure` there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = RatioFigure)]
pub struct Figure {
    /// Stable id, e.g. `charitable_spending_vs_prior_revenue`, `admin_cost_ratio`.
    pub id: String,
    /// Chinese label of the requirement. It names no single base: each base is in [`Figure::bases`].
    pub label_zh: String,
    /// English label of the requirement.
    pub label_en: String,
    /// The ratio against [`Figure::basis`], rounded half away from zero to 4 dp, for display
    /// only. `None` when that base is missing, zero or negative.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
    /// The legal threshold. `None` only when the net-asset band, and so the
    /// threshold, cannot be determined.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>)]
    pub threshold: Option<Decimal>,
    /// Direction of the threshold.
    pub comparison: Cmp,
    /// The base `value` is measured against: the one that decided, else the prior year.
    pub basis: Basis,
    /// The base whose verdict is the figure's verdict. `None` when there is no verdict (not
    /// enough data, exempt, in progress).
    pub decided_by: Option<Basis>,
    /// Every base the rule allows, each with its own label, value and verdict.
    pub bases: Vec<BasisFigure>,
    /// The verdict, decided by exact arithmetic, not from `value`.
    pub status: Status,
    /// An explanation of the shortfall has been published (only ever true on `Fail`).
    pub explained: bool,
    /// Citation(s) of the row used, with a verification mark where not primary.
    pub source: String,
}

/// The label of one base, in the wording of the 2016 rule Art. 10 ("前三年收入平均数代替上年总收入，
/// 用前三年年末净资产平均数代替上年末净资产"), checked against a reproduction of the rule's text.
fn basis_label(base: Option<SpendingBase>, basis: Basis) -> (&'static str, &'static str) {
    match (base, basis) {
        (Some(SpendingBase::PriorYearRevenue), Basis::ThreeYearAverage) => (
            "占前三年收入平均数比例",
            "of the prior three years' average revenue",
        ),
        (Some(SpendingBase::PriorYearRevenue), _) => {
            ("占上年总收入比例", "of prior-year total revenue")
        }
        (Some(SpendingBase::PriorYearEndNetAssets), Basis::ThreeYearAverage) => (
            "占前三年年末净资产平均数比例",
            "of the prior three years' average year-end net assets",
        ),
        (Some(SpendingBase::PriorYearEndNetAssets), _) => {
            ("占上年末净资产比例", "of prior-year-end net assets")
        }
        (None, _) => ("占当年总支出比例", "of the year's total spending"),
    }
}

fn basis_figure(
    base_kind: Option<SpendingBase>,
    basis: Basis,
    amount: Decimal,
    base: Option<Decimal>,
    status: Status,
) -> BasisFigure {
    let (zh, en) = basis_label(base_kind, basis);
    BasisFigure {
        basis,
        label_zh: zh.to_owned(),
        label_en: en.to_owned(),
        base,
        value: base.and_then(|b| display_ratio(amount, b)),
        status,
    }
}

/// Whether `year` is not over on `as_of` (a later year is not begun, so not over either).
pub fn in_progress(year: i32, as_of: Option<Date>) -> bool {
    as_of.is_some_and(|d| d.year() <= year)
}

impl Figure {
    /// The figure as read on a day its year is not over: values kept (they are the running
    /// figures), every verdict withheld.
    fn withheld(mut self) -> Figure {
        self.status = Status::InProgress;
        self.decided_by = None;
        self.explained = false;
        for b in &mut self.bases {
            b.status = Status::InProgress;
        }
        self
    }
}

/// `amount / base`, rounded for display. `None` for a non-positive base,
/// where the ratio means nothing.
fn display_ratio(amount: Decimal, base: Decimal) -> Option<Decimal> {
    if base <= Decimal::ZERO {
        return None;
    }
    amount
        .checked_div(base)
        .map(|r| r.round_dp_with_strategy(RATIO_DP, RoundingStrategy::MidpointAwayFromZero))
}

/// Exact test of `amount >= ratio * base`. `None` only on overflow.
fn at_least(amount: Decimal, ratio: Decimal, base: Decimal) -> Option<bool> {
    ratio.checked_mul(base).map(|limit| amount >= limit)
}

/// Exact test of `amount <= ratio * base`. `None` only on overflow.
fn at_most(amount: Decimal, ratio: Decimal, base: Decimal) -> Option<bool> {
    ratio.checked_mul(base).map(|limit| amount <= limit)
}

fn pass_fail(ok: bool) -> Status {
    if ok { Status::Pass } else { Status::Fail }
}

/// Computes the regulator figures for one organisation-year, as read on `as_of`.
///
/// Returns the spending figures of the applicable band, then the admin-cost
/// figure. Returns an empty list when no row of `table` covers the
/// organisation type, fundraising status and year. The caller can tell that
/// case apart with [`RuleTable::rule_for`].
///
/// A spending minimum passes if it holds against the prior-year base or
/// against the prior-three-year average, where the row allows the latter
/// ("或者", Charity Law Art. 61; 2016 rule Art. 10). Every base is reported
/// with its own verdict in [`Figure::bases`]; the figure says which one decided:
/// the first that passed, else the prior year's. The net-asset band is chosen by
/// prior-year-end net assets: the rule defines the bands that way, and the
/// average is only a substitute base for the ratio.
///
/// A year that is not over on `as_of` ([`in_progress`]) gets its running values but no
/// verdict. `as_of` is passed in, never read from a clock, so the same log and day give the
/// same figures. `None` judges every year.
pub fn evaluate(table: &RuleTable, facts: &OrgYearFacts, as_of: Option<Date>) -> Vec<Figure> {
    let Some(rule) = table.rule_for(facts) else {
        return Vec::new();
    };
    let prior = facts.year - 1;
    let tier = match rule.tiers.as_slice() {
        [only] if only.is_unbounded() => Some(only),
        tiers => facts
            .net_assets_end_by_year
            .get(&prior)
            .and_then(|na| tiers.iter().find(|t| t.contains(*na))),
    };

    let explained = |status: Status| status == Status::Fail && facts.has_explanation;
    let mut out = Vec::new();

    match tier {
        Some(tier) => {
            for req in &tier.spending {
                out.push(spending_figure(table, rule, req, facts, &explained));
            }
        }
        None => {
            // The band is unknown, so the thresholds are too. Report every
            // spending figure any band could need, without a verdict.
            let mut seen: Vec<&str> = Vec::new();
            for req in rule.tiers.iter().flat_map(|t| &t.spending) {
                if seen.contains(&req.id.as_str()) {
                    continue;
                }
                seen.push(&req.id);
                let mut f = spending_figure(table, rule, req, facts, &explained);
                f.threshold = None;
                f.status = Status::NotEnoughData;
                f.decided_by = None;
                f.basis = Basis::PriorYear;
                f.explained = false;
                f.source = table.source_text(&req.source);
                for b in &mut f.bases {
                    b.status = Status::NotEnoughData;
                }
                f.value = f.bases.first().and_then(|b| b.value);
                out.push(f);
            }
        }
    }

    out.extend(admin_figure(table, rule, tier, facts, &explained));
    if in_progress(facts.year, as_of) {
        out = out.into_iter().map(Figure::withheld).collect();
    }
    out
}

/// Verdict of one base: `None` when the base is missing (or the arithmetic overflowed).
fn base_status(ok: Option<bool>) -> Status {
    ok.map_or(Status::NotEnoughData, pass_fail)
}

fn spending_figure(
    table: &RuleTable,
    rule: &Rule,
    req: &SpendingRequirement,
    facts: &OrgYearFacts,
    explained: &dyn Fn(Status) -> bool,
) -> Figure {
    let spend = facts.charitable_spending;
    let prior_base = facts.base(rule, req.base, facts.year - 1);
    let prior_ok = prior_base.and_then(|b| at_least(spend, req.min_ratio, b));
    let mut bases = vec![basis_figure(
        Some(req.base),
        Basis::PriorYear,
        spend,
        prior_base,
        base_status(prior_ok),
    )];
    let mut avg_ok = None;
    if rule.three_year_average.is_some() {
        let avg_base = facts.base_avg3(rule, req.base);
        avg_ok = avg_base.and_then(|b| at_least(spend, req.min_ratio, b));
        bases.push(basis_figure(
            Some(req.base),
            Basis::ThreeYearAverage,
            spend,
            avg_base,
            base_status(avg_ok),
        ));
    }

    let (status, decided_by) = match (prior_ok, avg_ok) {
        (Some(true), _) => (Status::Pass, Some(Basis::PriorYear)),
        (_, Some(true)) => (Status::Pass, Some(Basis::ThreeYearAverage)),
        (Some(false), _) => (Status::Fail, Some(Basis::PriorYear)),
        (None, Some(false)) => (Status::Fail, Some(Basis::ThreeYearAverage)),
        (None, None) => (Status::NotEnoughData, None),
    };
    let basis = decided_by.unwrap_or(Basis::PriorYear);

    let mut source = table.source_text(&req.source);
    if bases.len() > 1
        && let Some(avg_src) = &rule.three_year_average
        && avg_src != &req.source
    {
        source = format!("{source}; {}", table.source_text(avg_src));
    }
    if req.base == SpendingBase::PriorYearRevenue
        && let Some(adj) = &rule.revenue_adjustment
        && adj != &req.source
        && !source.contains(&table.source_text(adj))
    {
        source = format!("{source}; {}", table.source_text(adj));
    }

    Figure {
        id: req.id.clone(),
        label_zh: req.label_zh.clone(),
        label_en: req.label_en.clone(),
        value: bases
            .iter()
            .find(|b| b.basis == basis)
            .and_then(|b| b.value),
        threshold: Some(req.min_ratio),
        comparison: Cmp::AtLeast,
        basis,
        decided_by,
        bases,
        status,
        explained: explained(status),
        source,
    }
}

fn admin_figure(
    table: &RuleTable,
    rule: &Rule,
    tier: Option<&Tier>,
    facts: &OrgYearFacts,
    explained: &dyn Fn(Status) -> bool,
) -> Option<Figure> {
    // Labels and id are the same in every band; take them from the matched
    // band, or the first one when the band is unknown. A rule without tiers
    // (only possible in an unvalidated table built in code) yields no figure.
    let cap = tier.or(rule.tiers.first()).map(|t| &t.admin)?;
    let exemption = rule
        .admin_exemption
        .as_ref()
        .filter(|ex| facts.admin_costs < ex.below);

    let ratio_status = match tier {
        None => Status::NotEnoughData,
        Some(t) => at_most(facts.admin_costs, t.admin.max_ratio, facts.total_spending)
            .map_or(Status::NotEnoughData, pass_fail),
    };
    let status = if exemption.is_some() {
        Status::Exempt
    } else {
        ratio_status
    };

    let mut source = tier.map_or_else(
        || {
            rule.tiers
                .iter()
                .map(|t| table.source_text(&t.admin.source))
                .fold(Vec::<String>::new(), |mut acc, s| {
                    if !acc.contains(&s) {
                        acc.push(s);
                    }
                    acc
                })
                .join("; ")
        },
        |t| table.source_text(&t.admin.source),
    );
    if let Some(ex) = exemption {
        source = format!("{source}; {}", table.source_text(&ex.source));
    }

    let only = basis_figure(
        None,
        Basis::CurrentYear,
        facts.admin_costs,
        Some(facts.total_spending),
        status,
    );
    Some(Figure {
        id: cap.id.clone(),
        label_zh: cap.label_zh.clone(),
        label_en: cap.label_en.clone(),
        value: only.value,
        threshold: tier.map(|t| t.admin.max_ratio),
        comparison: Cmp::AtMost,
        basis: Basis::CurrentYear,
        decided_by: matches!(status, Status::Pass | Status::Fail).then_some(Basis::CurrentYear),
        bases: vec![only],
        status,
        explained: explained(status),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn table() -> &'static RuleTable {
        match default_table() {
            Ok(t) => t,
            Err(e) => panic!("embedded rule table must parse: {e}"),
        }
    }

    fn rev(actual: Decimal) -> YearRevenue {
        YearRevenue {
            actual,
            ..YearRevenue::default()
        }
    }

    /// A 2025 organisation-year with round numbers; tests override fields.
    fn facts(org_type: OrgType, public_fundraising: bool) -> OrgYearFacts {
        OrgYearFacts {
            org_type,
            public_fundraising,
            year: 2025,
            revenue_by_year: BTreeMap::from([(2024, rev(dec!(1_000_000.00)))]),
            net_assets_end_by_year: BTreeMap::new(),
            charitable_spending: dec!(700_000.00),
            admin_costs: dec!(50_000.00),
            total_spending: dec!(1_000_000.00),
            has_explanation: false,
        }
    }

    fn fig<'a>(figs: &'a [Figure], id: &str) -> &'a Figure {
        match figs.iter().find(|f| f.id == id) {
            Some(f) => f,
            None => panic!("figure {id} missing from {figs:#?}"),
        }
    }

    const SPEND_REV: &str = "charitable_spending_vs_prior_revenue";
    const SPEND_NA: &str = "charitable_spending_vs_prior_net_assets";
    const ADMIN: &str = "admin_cost_ratio";

    /// What the supervision page tells a reader of an exempt figure: Art. 11's 200,000 yuan,
    /// for every rule but the public-fundraising foundations' (the Charity Law grants none).
    #[test]
    fn the_admin_exemption_is_found_for_the_rows_that_grant_it() {
        let t = table();
        assert_eq!(t.admin_exemption(OrgType::Foundation, true, 2025), None);
        for (org, pf) in [
            (OrgType::Foundation, false),
            (OrgType::SocialGroup, true),
            (OrgType::SocialGroup, false),
            (OrgType::SocialServiceOrg, false),
        ] {
            let ex = t.admin_exemption(org, pf, 2025).expect("exempts");
            assert_eq!(
                (ex.below, ex.source.as_str()),
                (dec!(200000), "rule2016_art11")
            );
        }
    }

    #[test]
    fn embedded_table_parses_and_every_row_cites_a_known_source() {
        let t = table();
        assert_eq!(t.schema, 1);
        assert_eq!(t.rules.len(), 4);
        for rule in &t.rules {
            for tier in &rule.tiers {
                for req in &tier.spending {
                    assert!(t.sources.contains_key(&req.source), "{}", req.source);
                }
                assert!(t.sources.contains_key(&tier.admin.source));
            }
        }
        // Every org type / status combination has exactly one row.
        for org in [
            OrgType::Foundation,
            OrgType::SocialGroup,
            OrgType::SocialServiceOrg,
        ] {
            for pf in [true, false] {
                assert!(t.rule_for(&facts(org, pf)).is_some(), "{org:?} {pf}");
            }
        }
    }

    #[test]
    fn public_foundation_exactly_70_percent_passes() {
        let f = facts(OrgType::Foundation, true);
        let figs = evaluate(table(), &f, None);
        let s = fig(&figs, SPEND_REV);
        assert_eq!(s.status, Status::Pass);
        assert_eq!(s.value, Some(dec!(0.7000)));
        assert_eq!(s.threshold, Some(dec!(0.70)));
        assert_eq!(s.basis, Basis::PriorYear);
        assert!(s.source.contains("第六十一条"));
    }

    #[test]
    fn public_foundation_69_99_percent_fails() {
        let mut f = facts(OrgType::Foundation, true);
        f.charitable_spending = dec!(699_900.00);
        let figs = evaluate(table(), &f, None);
        let s = fig(&figs, SPEND_REV);
        assert_eq!(s.status, Status::Fail);
        assert_eq!(s.value, Some(dec!(0.6999)));
        assert!(!s.explained);
    }

    #[test]
    fn one_cent_short_fails_even_though_the_rounded_ratio_shows_70() {
        let mut f = facts(OrgType::Foundation, true);
        f.charitable_spending = dec!(699_999.99);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!(s.value, Some(dec!(0.7000)));
        assert_eq!(s.status, Status::Fail);
    }

    #[test]
    fn public_foundation_admin_cap_is_exact_and_has_no_small_cost_exemption() {
        let mut f = facts(OrgType::Foundation, true);
        f.admin_costs = dec!(100_000.00);
        let a = fig(&evaluate(table(), &f, None), ADMIN).clone();
        assert_eq!((a.status, a.value), (Status::Pass, Some(dec!(0.1000))));

        // 100,000.01 is below 200,000 but Art. 11 only exempts Arts. 7-9 rows.
        f.admin_costs = dec!(100_000.01);
        let a = fig(&evaluate(table(), &f, None), ADMIN).clone();
        assert_eq!(a.status, Status::Fail);
        assert_eq!(a.threshold, Some(dec!(0.10)));
    }

    #[test]
    fn three_year_average_rescues_a_drop_after_a_windfall_year() {
        let mut f = facts(OrgType::Foundation, true);
        // Prior year 2,000,000 (70% = 1,400,000: 700,000 fails);
        // average (2,000,000 + 500,000 + 500,000) / 3 = 1,000,000 (70% = 700,000: passes).
        f.revenue_by_year = BTreeMap::from([
            (2024, rev(dec!(2_000_000.00))),
            (2023, rev(dec!(500_000.00))),
            (2022, rev(dec!(500_000.00))),
        ]);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!(s.status, Status::Pass);
        assert_eq!(s.basis, Basis::ThreeYearAverage);
        assert_eq!(s.value, Some(dec!(0.7000)));

        // One cent less fails on both bases; reported on the prior-year basis.
        f.charitable_spending = dec!(699_999.99);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!((s.status, s.basis), (Status::Fail, Basis::PriorYear));
        assert_eq!(s.value, Some(dec!(0.3500)));

        // Without the third year the average is not available at all.
        f.charitable_spending = dec!(700_000.00);
        f.revenue_by_year.remove(&2022);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!((s.status, s.basis), (Status::Fail, Basis::PriorYear));
    }

    #[test]
    fn restricted_and_released_revenue_adjust_the_base() {
        let mut f = facts(OrgType::Foundation, true);
        // 1,200,000 - 300,000 restricted to later years + 100,000 released = 1,000,000.
        f.revenue_by_year = BTreeMap::from([(
            2024,
            YearRevenue {
                actual: dec!(1_200_000.00),
                restricted_to_later_years: dec!(300_000.00),
                released_from_restriction: dec!(100_000.00),
            },
        )]);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!((s.status, s.value), (Status::Pass, Some(dec!(0.7000))));
        assert!(s.source.contains("第十条"));

        f.charitable_spending = dec!(699_999.99);
        assert_eq!(
            fig(&evaluate(table(), &f, None), SPEND_REV).status,
            Status::Fail
        );
    }

    #[test]
    fn missing_prior_year_revenue_is_not_enough_data() {
        let mut f = facts(OrgType::Foundation, true);
        f.revenue_by_year = BTreeMap::from([(2023, rev(dec!(1_000_000.00)))]);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!((s.status, s.value), (Status::NotEnoughData, None));
        // The admin figure does not depend on prior-year data.
        assert_eq!(
            fig(&evaluate(table(), &f, None), ADMIN).status,
            Status::Pass
        );
    }

    #[test]
    fn public_social_group_uses_art7_70_and_13_percent() {
        let mut f = facts(OrgType::SocialGroup, true);
        f.admin_costs = dec!(260_000.00); // above the 200,000 exemption
        f.total_spending = dec!(2_000_000.00); // 13% = 260,000
        let figs = evaluate(table(), &f, None);
        assert_eq!(fig(&figs, SPEND_REV).status, Status::Pass);
        let a = fig(&figs, ADMIN);
        assert_eq!((a.status, a.threshold), (Status::Pass, Some(dec!(0.13))));
        assert!(a.source.contains("[unconfirmed]"));

        f.admin_costs = dec!(260_000.01);
        assert_eq!(
            fig(&evaluate(table(), &f, None), ADMIN).status,
            Status::Fail
        );
    }

    /// Each band boundary: the bound itself is in the upper band ("含本数"),
    /// one cent below is in the lower band.
    #[test]
    fn every_net_asset_band_at_and_just_past_its_boundary() {
        let cases: &[(OrgType, Decimal, Decimal, Decimal)] = &[
            (
                OrgType::Foundation,
                dec!(60_000_000.00),
                dec!(0.06),
                dec!(0.12),
            ),
            (
                OrgType::Foundation,
                dec!(59_999_999.99),
                dec!(0.06),
                dec!(0.13),
            ),
            (
                OrgType::Foundation,
                dec!(8_000_000.00),
                dec!(0.06),
                dec!(0.13),
            ),
            (
                OrgType::Foundation,
                dec!(7_999_999.99),
                dec!(0.07),
                dec!(0.15),
            ),
            (
                OrgType::Foundation,
                dec!(4_000_000.00),
                dec!(0.07),
                dec!(0.15),
            ),
            (
                OrgType::Foundation,
                dec!(3_999_999.99),
                dec!(0.08),
                dec!(0.20),
            ),
            (
                OrgType::SocialGroup,
                dec!(10_000_000.00),
                dec!(0.06),
                dec!(0.13),
            ),
            (
                OrgType::SocialGroup,
                dec!(9_999_999.99),
                dec!(0.07),
                dec!(0.14),
            ),
            (
                OrgType::SocialServiceOrg,
                dec!(5_000_000.00),
                dec!(0.07),
                dec!(0.14),
            ),
            (
                OrgType::SocialServiceOrg,
                dec!(4_999_999.99),
                dec!(0.08),
                dec!(0.15),
            ),
            (
                OrgType::SocialGroup,
                dec!(1_000_000.00),
                dec!(0.08),
                dec!(0.15),
            ),
            (
                OrgType::SocialGroup,
                dec!(999_999.99),
                dec!(0.08),
                dec!(0.20),
            ),
        ];
        for &(org, na, spend_min, admin_max) in cases {
            let mut f = facts(org, false);
            f.net_assets_end_by_year = BTreeMap::from([(2024, na)]);
            f.admin_costs = dec!(250_000.00); // not exempt
            let figs = evaluate(table(), &f, None);
            let s = fig(&figs, SPEND_NA);
            let a = fig(&figs, ADMIN);
            assert_eq!(s.threshold, Some(spend_min), "{org:?} {na}");
            assert_eq!(a.threshold, Some(admin_max), "{org:?} {na}");
        }
    }

    #[test]
    fn band_ratio_is_exact_at_the_threshold() {
        let mut f = facts(OrgType::Foundation, false);
        f.net_assets_end_by_year = BTreeMap::from([(2024, dec!(60_000_000.00))]);
        f.charitable_spending = dec!(3_600_000.00); // exactly 6%
        f.total_spending = dec!(5_000_000.00);
        f.admin_costs = dec!(600_000.00); // exactly 12%
        let figs = evaluate(table(), &f, None);
        assert_eq!(fig(&figs, SPEND_NA).status, Status::Pass);
        assert_eq!(fig(&figs, SPEND_NA).value, Some(dec!(0.0600)));
        assert_eq!(fig(&figs, ADMIN).status, Status::Pass);

        f.charitable_spending = dec!(3_599_999.99);
        f.admin_costs = dec!(600_000.01);
        let figs = evaluate(table(), &f, None);
        assert_eq!(fig(&figs, SPEND_NA).status, Status::Fail);
        assert_eq!(fig(&figs, ADMIN).status, Status::Fail);
    }

    #[test]
    fn net_asset_three_year_average_may_replace_prior_year_end() {
        let mut f = facts(OrgType::Foundation, false);
        // Band by 2024 year-end 5,000,000 (7%). 7% of 5,000,000 = 350,000 fails at 300,000;
        // average (5,000,000 + 4,000,000 + 3,000,000) / 3 = 4,000,000 (7% = 280,000) passes.
        f.net_assets_end_by_year = BTreeMap::from([
            (2024, dec!(5_000_000.00)),
            (2023, dec!(4_000_000.00)),
            (2022, dec!(3_000_000.00)),
        ]);
        f.charitable_spending = dec!(300_000.00);
        let s = fig(&evaluate(table(), &f, None), SPEND_NA).clone();
        assert_eq!((s.status, s.basis), (Status::Pass, Basis::ThreeYearAverage));
        assert_eq!(s.value, Some(dec!(0.0750)));
        assert_eq!(s.threshold, Some(dec!(0.07)));
    }

    #[test]
    fn small_admin_costs_are_exempt_but_200000_exactly_is_not() {
        let mut f = facts(OrgType::Foundation, false);
        f.net_assets_end_by_year = BTreeMap::from([(2024, dec!(100_000_000.00))]);
        f.total_spending = dec!(400_000.00);
        f.admin_costs = dec!(199_999.99); // ~50%, far above 12%
        let a = fig(&evaluate(table(), &f, None), ADMIN).clone();
        assert_eq!(a.status, Status::Exempt);
        assert_eq!(a.value, Some(dec!(0.5000)));
        assert!(a.source.contains("第十一条"));

        f.admin_costs = dec!(200_000.00);
        assert_eq!(
            fig(&evaluate(table(), &f, None), ADMIN).status,
            Status::Fail
        );
    }

    #[test]
    fn lowest_social_group_band_needs_both_net_asset_and_revenue_minimums() {
        let mut f = facts(OrgType::SocialServiceOrg, false);
        f.net_assets_end_by_year = BTreeMap::from([(2024, dec!(500_000.00))]); // 8% = 40,000
        f.revenue_by_year = BTreeMap::from([(2024, rev(dec!(100_000.00)))]); // 50% = 50,000
        f.charitable_spending = dec!(45_000.00);
        let figs = evaluate(table(), &f, None);
        assert_eq!(fig(&figs, SPEND_NA).status, Status::Pass);
        let r = fig(&figs, SPEND_REV);
        assert_eq!((r.status, r.threshold), (Status::Fail, Some(dec!(0.50))));

        f.charitable_spending = dec!(50_000.00);
        let figs = evaluate(table(), &f, None);
        assert_eq!(fig(&figs, SPEND_REV).status, Status::Pass);
    }

    #[test]
    fn missing_net_assets_gives_no_verdict_except_the_exemption() {
        let mut f = facts(OrgType::SocialGroup, false);
        f.admin_costs = dec!(250_000.00);
        let figs = evaluate(table(), &f, None);
        // Union of the bands' spending figures, all without a verdict.
        assert_eq!(figs.len(), 3);
        assert!(
            figs.iter()
                .all(|x| x.status == Status::NotEnoughData && x.threshold.is_none())
        );

        f.admin_costs = dec!(150_000.00);
        assert_eq!(
            fig(&evaluate(table(), &f, None), ADMIN).status,
            Status::Exempt
        );
    }

    #[test]
    fn published_explanation_is_recorded_on_failures_only() {
        let mut f = facts(OrgType::Foundation, true);
        f.has_explanation = true;
        f.admin_costs = dec!(150_000.00);
        let figs = evaluate(table(), &f, None);
        assert!(fig(&figs, ADMIN).explained);
        assert_eq!(fig(&figs, ADMIN).status, Status::Fail);
        assert!(!fig(&figs, SPEND_REV).explained);
    }

    #[test]
    fn zero_total_spending_has_no_ratio_but_still_a_verdict() {
        let mut f = facts(OrgType::Foundation, true);
        f.total_spending = Decimal::ZERO;
        f.admin_costs = Decimal::ZERO;
        let a = fig(&evaluate(table(), &f, None), ADMIN).clone();
        assert_eq!((a.value, a.status), (None, Status::Pass));
    }

    #[test]
    fn years_outside_every_row_produce_no_figures() {
        let mut t = table().clone();
        for r in &mut t.rules {
            r.valid_from_year = Some(2030);
        }
        assert!(evaluate(&t, &facts(OrgType::Foundation, true), None).is_empty());
    }

    fn day(y: i32, m: u8, d: u8) -> Date {
        match time::Month::try_from(m)
            .ok()
            .and_then(|m| Date::from_calendar_date(y, m, d).ok())
        {
            Some(d) => d,
            None => panic!("bad test date {y}-{m}-{d}"),
        }
    }

    /// Issue 14: the figure passed on the three-year average while its label named the prior
    /// year, and the failing prior-year figure was never shown.
    #[test]
    fn every_revenue_basis_is_shown_with_its_own_label_value_and_verdict() {
        let mut f = facts(OrgType::Foundation, true);
        // Prior year 2,000,000.00: 700,000.00 / 2,000,000.00 = 0.35 < 0.70: fails.
        // Average (2,000,000 + 400,000 + 600,000) / 3 = 1,000,000.00:
        // 700,000.00 / 1,000,000.00 = 0.70 >= 0.70: passes, and decides.
        f.revenue_by_year = BTreeMap::from([
            (2024, rev(dec!(2_000_000.00))),
            (2023, rev(dec!(400_000.00))),
            (2022, rev(dec!(600_000.00))),
        ]);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!(s.status, Status::Pass);
        assert_eq!(s.decided_by, Some(Basis::ThreeYearAverage));
        assert!(!s.label_zh.contains("上年"), "{}", s.label_zh);
        assert_eq!(s.bases.len(), 2);
        let (p, a) = (&s.bases[0], &s.bases[1]);
        assert_eq!(p.basis, Basis::PriorYear);
        assert_eq!(p.label_zh, "占上年总收入比例");
        assert_eq!(p.base, Some(dec!(2_000_000.00)));
        assert_eq!(p.value, Some(dec!(0.3500)));
        assert_eq!(p.status, Status::Fail);
        assert_eq!(a.basis, Basis::ThreeYearAverage);
        assert_eq!(a.label_zh, "占前三年收入平均数比例");
        assert_eq!(a.base, Some(dec!(1_000_000.00)));
        assert_eq!(a.value, Some(dec!(0.7000)));
        assert_eq!(a.status, Status::Pass);
        // The headline value is the deciding basis's.
        assert_eq!(s.value, Some(dec!(0.7000)));

        // Both bases pass: the prior year decides (it is checked first).
        // 2,100,000 / 2,000,000 = 1.05; 2,100,000 / 1,000,000 = 2.10.
        f.charitable_spending = dec!(2_100_000.00);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!(s.decided_by, Some(Basis::PriorYear));
        assert_eq!(
            s.bases.iter().map(|b| b.status).collect::<Vec<_>>(),
            [Status::Pass, Status::Pass]
        );
        assert_eq!(s.bases[1].value, Some(dec!(2.1000)));

        // Neither passes: 699,999.99 is short of 1,400,000 and of 700,000; the prior year decides.
        f.charitable_spending = dec!(699_999.99);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!(
            (s.status, s.decided_by),
            (Status::Fail, Some(Basis::PriorYear))
        );
        assert_eq!(
            s.bases.iter().map(|b| b.status).collect::<Vec<_>>(),
            [Status::Fail, Status::Fail]
        );

        // Without 2022 the average has no base: shown, without a verdict of its own.
        f.revenue_by_year.remove(&2022);
        let s = fig(&evaluate(table(), &f, None), SPEND_REV).clone();
        assert_eq!(s.bases[1].base, None);
        assert_eq!(s.bases[1].status, Status::NotEnoughData);
        assert_eq!(s.bases[0].status, Status::Fail);
    }

    #[test]
    fn every_net_asset_basis_is_shown_and_the_admin_figure_names_its_base() {
        let mut f = facts(OrgType::Foundation, false);
        // Band by 2024 year-end 5,000,000 (7%): 300,000 / 5,000,000 = 0.06 < 0.07 fails;
        // average (5,000,000 + 4,000,000 + 3,000,000) / 3 = 4,000,000: 300,000 / 4,000,000 =
        // 0.075 >= 0.07 passes and decides.
        f.net_assets_end_by_year = BTreeMap::from([
            (2024, dec!(5_000_000.00)),
            (2023, dec!(4_000_000.00)),
            (2022, dec!(3_000_000.00)),
        ]);
        f.charitable_spending = dec!(300_000.00);
        let figs = evaluate(table(), &f, None);
        let s = fig(&figs, SPEND_NA);
        assert_eq!(s.bases[0].label_zh, "占上年末净资产比例");
        assert_eq!(s.bases[0].value, Some(dec!(0.0600)));
        assert_eq!(s.bases[0].status, Status::Fail);
        assert_eq!(s.bases[1].label_zh, "占前三年年末净资产平均数比例");
        assert_eq!(s.bases[1].base, Some(dec!(4_000_000.00)));
        assert_eq!(s.bases[1].status, Status::Pass);
        assert_eq!(s.decided_by, Some(Basis::ThreeYearAverage));
        // Admin 50,000 is exempt (< 200,000): no deciding basis, the one base still shown.
        // 50,000 / 1,000,000 = 0.05.
        let a = fig(&figs, ADMIN);
        assert_eq!(a.status, Status::Exempt);
        assert_eq!(a.decided_by, None);
        assert_eq!(a.bases.len(), 1);
        assert_eq!(a.bases[0].label_zh, "占当年总支出比例");
        assert_eq!(a.bases[0].base, Some(dec!(1_000_000.00)));
        assert_eq!(a.bases[0].value, Some(dec!(0.0500)));
    }

    /// Issue 14: 2026 was marked failed in 2026. A year not over on the reading day is shown,
    /// with its running values, but not judged.
    #[test]
    fn a_year_in_progress_is_not_judged() {
        let mut f = facts(OrgType::Foundation, true);
        // 2025 so far: 100,000.00 / 1,000,000.00 = 0.10 of prior revenue, far below 0.70.
        f.charitable_spending = dec!(100_000.00);
        f.admin_costs = dec!(150_000.00); // 0.15 of 1,000,000: above the 10% cap
        f.has_explanation = true;
        for as_of in [day(2025, 1, 1), day(2025, 12, 31), day(2024, 6, 1)] {
            let figs = evaluate(table(), &f, Some(as_of));
            assert_eq!(figs.len(), 2);
            for x in &figs {
                assert_eq!(x.status, Status::InProgress, "{as_of} {x:?}");
                assert_eq!(x.decided_by, None);
                assert!(!x.explained);
                assert!(x.bases.iter().all(|b| b.status == Status::InProgress));
            }
            assert_eq!(fig(&figs, SPEND_REV).value, Some(dec!(0.1000)));
            assert_eq!(fig(&figs, ADMIN).value, Some(dec!(0.1500)));
        }
        // The first day of 2026: 2025 is over and judged.
        let figs = evaluate(table(), &f, Some(day(2026, 1, 1)));
        assert_eq!(fig(&figs, SPEND_REV).status, Status::Fail);
        assert!(fig(&figs, SPEND_REV).explained);
        assert_eq!(fig(&figs, SPEND_REV).bases[0].status, Status::Fail);
        assert_eq!(fig(&figs, ADMIN).status, Status::Fail);
        assert_eq!(evaluate(table(), &f, None), figs);
    }

    #[test]
    fn in_progress_is_on_the_wire_as_its_own_status() {
        let v = serde_json::to_value(Status::InProgress).ok();
        assert_eq!(v, Some(serde_json::json!("in_progress")));
    }

    fn minimal_json(tiers: &str, source: &str) -> String {
        format!(
            r#"{{"schema":1,
            "sources":{{"s":{{"citation_zh":"z","citation_en":"e","issuer":"i","adopted":"2016-10-11",
              "in_force":null,"verification":"primary_text","note":null}}}},
            "rules":[{{"id":"r","org_types":["foundation"],"public_fundraising":false,
              "valid_from_year":null,"valid_to_year":null,"three_year_average":null,
              "revenue_adjustment":null,"admin_exemption":null,"tiers":[{tiers}]}}]}}"#
        )
        .replace("SRC", source)
    }

    fn tier_json(id: &str, lo: &str, hi: &str, ratio: &str) -> String {
        format!(
            r#"{{"id":"{id}","net_assets_at_least":{lo},"net_assets_below":{hi},
            "spending":[{{"id":"x","label_zh":"x","label_en":"x","base":"prior_year_end_net_assets",
              "min_ratio":"{ratio}","source":"SRC"}}],
            "admin":{{"id":"a","label_zh":"a","label_en":"a","max_ratio":"0.1","source":"SRC"}}}}"#
        )
    }

    #[test]
    fn validation_rejects_bad_tables() {
        let ok = minimal_json(&tier_json("t", "null", "null", "0.06"), "s");
        assert!(RuleTable::from_json(&ok).is_ok());

        let unknown = minimal_json(&tier_json("t", "null", "null", "0.06"), "nope");
        assert!(matches!(
            RuleTable::from_json(&unknown),
            Err(RuleTableError::UnknownSource { .. })
        ));

        let ratio = minimal_json(&tier_json("t", "null", "null", "6"), "s");
        assert!(matches!(
            RuleTable::from_json(&ratio),
            Err(RuleTableError::RatioOutOfRange { .. })
        ));

        let overlap = minimal_json(
            &format!(
                "{},{}",
                tier_json("a", "\"100\"", "null", "0.06"),
                tier_json("b", "null", "\"101\"", "0.06")
            ),
            "s",
        );
        assert!(matches!(
            RuleTable::from_json(&overlap),
            Err(RuleTableError::Invalid(_))
        ));

        let adjacent = minimal_json(
            &format!(
                "{},{}",
                tier_json("a", "\"100\"", "null", "0.06"),
                tier_json("b", "null", "\"100\"", "0.06")
            ),
            "s",
        );
        assert!(RuleTable::from_json(&adjacent).is_ok());

        // Ratios must be strings: a float would defeat exact decimal rules.
        let float = ok.replace("\"0.06\"", "0.06");
        assert!(matches!(
            RuleTable::from_json(&float),
            Err(RuleTableError::Json(_))
        ));
    }
}
