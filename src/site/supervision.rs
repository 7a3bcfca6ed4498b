//! What the supervision page (`regulator/`) lists, as rows both the page and its CSV downloads
//! are made from, so the two can never disagree (issue 16):
//!
//! - ratio figures of finished years that did not simply pass: failed, failed with a published
//!   explanation, exempt, or without a verdict for want of data — each with its reason (what
//!   was explained, under which exemption, which year's figures are missing). A year still in
//!   progress by the log's clock ([`ratios_read_on`]) is not judged: its spending is not
//!   complete.
//! - disclosures made late or still missing on the day judged, with the due date and the days
//!   late ([`crate::money::obligations::judge`], the same judgement `sunshine report late`
//!   prints).
//!
//! The figures are the cached `compliance/` rows ([`crate::money::regulator::compliance`]); the
//! deadlines and thresholds cite their sources in `compliance_rules.json` and
//! `timeliness_rules.json`, and those citations go with every row.

use rust_decimal::Decimal;
use serde_json::Value;

use super::data::Table;
use super::snapshot::Snapshot;
use crate::ledger::time::format_date;
use crate::money::compliance::{self, Figure as RatioFigure};
use crate::money::obligations::{FlatRow, OrgObligation};
use crate::money::timeliness::{Obligation, Status};
use crate::money::views::keys;
use crate::money::views::rows::{ComplianceRow, ExplanationRow, FiguresRow, ReportRow, WireName};

/// How a ratio figure of a finished year stands, as the page's status filter names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RatioStatus {
    /// Failed, and no explanation was published for the year.
    Fail,
    /// Failed, with an explanation published (Charity Law Art. 61 para. 2); still a failure.
    Explained,
    /// The cap does not apply (small administrative costs).
    Exempt,
    /// No verdict: a figure the rule needs is not in the ledger.
    NotEnoughData,
}

impl RatioStatus {
    /// The wire name: the CSV's `status` and the page's filter value.
    pub fn as_str(self) -> &'static str {
        match self {
            RatioStatus::Fail => "fail",
            RatioStatus::Explained => "explained",
            RatioStatus::Exempt => "exempt",
            RatioStatus::NotEnoughData => "not_enough_data",
        }
    }

    pub const ALL: [RatioStatus; 4] = [
        RatioStatus::Fail,
        RatioStatus::Explained,
        RatioStatus::Exempt,
        RatioStatus::NotEnoughData,
    ];
}

/// Why a figure is in the list beyond its status: shown beside it, in both languages.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Failed with no explanation published.
    Unexplained,
    /// The explanations the organisation published for the year (`explanation/{org}/{year}`).
    Explained(Vec<Explanation>),
    /// Administrative costs below the rule's exemption amount.
    Exempt {
        admin_costs: Decimal,
        below: Decimal,
        currency: String,
    },
    /// The prior year the rule measures against has no figures in the ledger.
    NoPriorYear { prior: i64 },
    /// The prior year is there but a figure could still not be worked out (an overflow, or a
    /// band the rule table does not cover).
    Incomplete,
}

/// One published explanation of a shortfall.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub seq: Option<u64>,
    pub subject: String,
    pub text: String,
    pub published_on: String,
}

/// One ratio figure of one organisation-year that did not simply pass.
#[derive(Debug, Clone)]
pub struct RatioRow {
    pub org: String,
    pub year: i64,
    pub currency: String,
    /// The `compliance/` row's figure (id, labels, value, threshold, comparison, source).
    pub figure: RatioFigure,
    pub status: RatioStatus,
    pub reason: Reason,
    /// The organisation's annual report for the year, if published.
    pub report_seq: Option<u64>,
}

/// One late or missing disclosure.
#[derive(Debug, Clone)]
pub struct DisclosureRow {
    pub judged: OrgObligation,
    /// Entries it concerns beyond the one that met it: the related-party payment or major
    /// event it discloses.
    pub about_seq: Option<u64>,
}

impl DisclosureRow {
    /// The year the page's year filter puts it in: the year it fell due.
    pub fn year(&self) -> i32 {
        self.judged.judged.due.year()
    }
}

/// The day the ratio figures are read on: the newest entry's recording date in China, the
/// log's own clock. The core judges the cached `compliance/` rows on that day
/// ([`crate::replay`]'s regulator rows), so every page that says which year is finished says
/// it as the figures do: a year is finished once the ledger has recorded an entry in a later
/// year. The build's day (`site build --as-of`) is for deadlines, which run on without entries.
pub fn ratios_read_on(snap: &Snapshot) -> Option<time::Date> {
    snap.newest()
        .next()
        .and_then(|e| crate::ledger::Timestamp::from_unix(e.recorded_at))
        .map(|t| t.china_date())
}

/// The year in progress on [`ratios_read_on`]: it and later years are not judged. `None` for
/// an empty log, and then no year is.
pub fn current_year(snap: &Snapshot) -> Option<i64> {
    ratios_read_on(snap).map(|d| i64::from(d.year()))
}

/// Every ratio figure of a finished year that did not pass (of one organisation, or of all),
/// newest year first, then by organisation, in the rule table's figure order.
pub fn ratio_rows(snap: &Snapshot, org: Option<&str>) -> Vec<RatioRow> {
    let Some(current) = current_year(snap) else {
        return Vec::new();
    };
    let prefix = match org {
        Some(o) => keys::COMPLIANCE.under(&[&o]),
        None => keys::COMPLIANCE.prefix().to_owned(),
    };
    let mut out = Vec::new();
    for row in snap.typed_values::<ComplianceRow>(&prefix) {
        let year = i64::from(row.year);
        if year >= current {
            continue;
        }
        let (org, currency) = (row.org.as_str(), row.currency.as_str());
        for figure in row.figures {
            let status = match figure.status {
                compliance::Status::Fail if figure.explained => RatioStatus::Explained,
                compliance::Status::Fail => RatioStatus::Fail,
                compliance::Status::Exempt => RatioStatus::Exempt,
                compliance::Status::NotEnoughData => RatioStatus::NotEnoughData,
                compliance::Status::Pass | compliance::Status::InProgress => continue,
            };
            out.push(RatioRow {
                org: org.to_owned(),
                year,
                currency: currency.to_owned(),
                figure,
                status,
                reason: reason(snap, org, year, currency, status),
                report_seq: snap
                    .typed::<ReportRow>(&keys::REPORT.key(&[&org, &year]))
                    .map(|r| r.seq),
            });
        }
    }
    // Failures before exceptions (the page lists them in two tables, in this order), newest
    // year first; then the view order (organisation, currency, the rule's figures).
    out.sort_by_key(|r| {
        (
            r.status >= RatioStatus::Exempt,
            std::cmp::Reverse(r.year),
            r.status,
        )
    });
    out
}

fn reason(snap: &Snapshot, org: &str, year: i64, currency: &str, status: RatioStatus) -> Reason {
    match status {
        RatioStatus::Fail => Reason::Unexplained,
        RatioStatus::Explained => Reason::Explained(explanations(snap, org, year)),
        RatioStatus::Exempt => {
            let figures: Option<FiguresRow> =
                snap.typed(&keys::FIGURES.key(&[&org, &year, &currency]));
            let below = figures.as_ref().and_then(|f| exemption_below(f, year));
            match (figures, below) {
                (Some(f), Some(below)) => Reason::Exempt {
                    admin_costs: f.administrative_costs.0,
                    below,
                    currency: currency.to_owned(),
                },
                _ => Reason::Incomplete,
            }
        }
        RatioStatus::NotEnoughData => {
            let prior = year - 1;
            if snap
                .view(&keys::FIGURES.key(&[&org, &prior, &currency]))
                .is_none()
            {
                Reason::NoPriorYear { prior }
            } else {
                Reason::Incomplete
            }
        }
    }
}

/// The exemption amount of the rule covering a `figures/` row's organisation in `year`.
fn exemption_below(figures: &FiguresRow, year: i64) -> Option<Decimal> {
    let table = crate::money::compliance::default_table().ok()?;
    // The rules name only the charity forms, by the same wire names; any other type has none.
    let org_type = serde_json::from_value(Value::from(figures.org_type.as_str())).ok()?;
    table
        .admin_exemption(
            org_type,
            figures.public_fundraising,
            i32::try_from(year).ok()?,
        )
        .map(|ex| ex.below)
}

/// The explanations `org` published for `year`.
pub fn explanations(snap: &Snapshot, org: &str, year: i64) -> Vec<Explanation> {
    snap.typed::<ExplanationRow>(&keys::EXPLANATION.key(&[&org, &year]))
        .into_iter()
        .flatten()
        .map(|e| Explanation {
            seq: Some(e.seq),
            subject: e.body.subject.as_str().to_owned(),
            text: e.body.text.as_str().to_owned(),
            published_on: format_date(e.body.published_on),
        })
        .collect()
}

/// Every disclosure made late or missing on the day judged, most days late first.
pub fn disclosure_rows(snap: &Snapshot, org: Option<&str>) -> Vec<DisclosureRow> {
    let mut out: Vec<DisclosureRow> = snap
        .obligations(org)
        .into_iter()
        .filter(|o| matches!(o.judged.status, Status::Late | Status::Missing))
        .map(|judged| {
            let about_seq = match &judged.judged.obligation {
                Obligation::RelatedParty { entry_seq, .. }
                | Obligation::MajorEvent { entry_seq, .. } => Some(*entry_seq),
                _ => None,
            };
            DisclosureRow { judged, about_seq }
        })
        .collect();
    out.sort_by(|a, b| {
        b.judged
            .judged
            .days_late
            .cmp(&a.judged.judged.days_late)
            .then_with(|| a.judged.org.cmp(&b.judged.org))
            .then_with(|| a.judged.judged.due.cmp(&b.judged.judged.due))
    });
    out
}

impl Reason {
    /// The reason in words, in Chinese or English.
    pub fn text(&self, zh: bool) -> String {
        let money = crate::site::format::money;
        match (self, zh) {
            (Reason::Unexplained, true) => "未发布说明".to_owned(),
            (Reason::Unexplained, false) => "No explanation published".to_owned(),
            (Reason::Explained(list), _) if list.is_empty() => String::new(),
            (Reason::Explained(list), true) => list
                .iter()
                .map(|e| format!("{}（{}发布）：{}", e.subject, e.published_on, e.text))
                .collect::<Vec<_>>()
                .join("；"),
            (Reason::Explained(list), false) => list
                .iter()
                .map(|e| {
                    format!(
                        "Explanation published {} on \"{}\" (in Chinese): {}",
                        e.published_on, e.subject, e.text
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            (
                Reason::Exempt {
                    admin_costs,
                    below,
                    currency,
                },
                true,
            ) => format!(
                "管理费用{}，低于{}，不适用管理费用比例上限",
                money(*admin_costs, currency),
                money(*below, "CNY")
            ),
            (
                Reason::Exempt {
                    admin_costs,
                    below,
                    currency,
                },
                false,
            ) => format!(
                "Administrative costs of {} are below {}: the cap does not apply",
                money(*admin_costs, currency),
                money(*below, "CNY")
            ),
            (Reason::NoPriorYear { prior }, true) => {
                format!("账本中没有该组织{prior}年的收支数据，无法得出上年收入和上年末净资产")
            }
            (Reason::NoPriorYear { prior }, false) => format!(
                "The ledger has no figures of the organisation for {prior}: its prior-year revenue and net assets are unknown"
            ),
            (Reason::Incomplete, true) => "计算所需的数据不全".to_owned(),
            (Reason::Incomplete, false) => "Figures the rule needs are incomplete".to_owned(),
        }
    }
}

/// `data/regulator/ratios.csv`: the page's first table, row for row.
pub fn ratios_table(snap: &Snapshot) -> Table {
    let mut t = Table::new(&[
        "year",
        "org",
        "name",
        "org_type",
        "region",
        "currency",
        "figure",
        "label_zh",
        "label_en",
        "value",
        "comparison",
        "threshold",
        "status",
        "reason_zh",
        "reason_en",
        "annual_report_seq",
        "explanation_seqs",
        "source",
    ]);
    // A ratio or threshold the figure has none of (no base to measure against, no band) is an
    // empty cell.
    let ratio = |v: Option<Decimal>| v.map(|d| d.to_string()).unwrap_or_default();
    for r in ratio_rows(snap, None) {
        let (org_type, region) = type_and_region(snap, &r.org);
        let seqs = match &r.reason {
            Reason::Explained(list) => list
                .iter()
                .filter_map(|e| e.seq.map(|s| s.to_string()))
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        };
        t.rows.push(vec![
            r.year.to_string(),
            r.org.clone(),
            snap.org_name(&r.org),
            org_type.to_owned(),
            region,
            r.currency.clone(),
            r.figure.id.clone(),
            r.figure.label_zh.clone(),
            r.figure.label_en.clone(),
            ratio(r.figure.value),
            r.figure.comparison.wire_name(),
            ratio(r.figure.threshold),
            r.status.as_str().to_owned(),
            r.reason.text(true),
            r.reason.text(false),
            r.report_seq.map(|s| s.to_string()).unwrap_or_default(),
            seqs,
            r.figure.source.clone(),
        ]);
    }
    t
}

/// `data/regulator/disclosures.csv`: the page's second table, row for row.
pub fn disclosures_table(snap: &Snapshot) -> Table {
    let mut columns = vec!["org", "name", "org_type", "region", "year"];
    columns.extend_from_slice(&crate::money::obligations::CSV_COLUMNS[1..]);
    columns.extend_from_slice(&["about_seq", "judged_on"]);
    let mut t = Table::new(&columns);
    let judged_on = snap.judged_on.map(format_date).unwrap_or_default();
    for r in disclosure_rows(snap, None) {
        let org = r.judged.org.to_string();
        let (org_type, region) = type_and_region(snap, &org);
        let mut row = vec![
            org.clone(),
            snap.org_name(&org),
            org_type.to_owned(),
            region,
            r.year().to_string(),
        ];
        row.extend(FlatRow::from(&r.judged).cells().into_iter().skip(1));
        row.push(r.about_seq.map(|s| s.to_string()).unwrap_or_default());
        row.push(judged_on.clone());
        t.rows.push(row);
    }
    t
}

/// An organisation's registered type (wire name) and region code, by which the supervision
/// page's rows filter; both empty when it is not registered.
pub fn type_and_region(snap: &Snapshot, uscc: &str) -> (&'static str, String) {
    snap.org(uscc).map_or(("", String::new()), |o| {
        (
            o.register.org_type.as_str(),
            o.register.region.as_str().to_owned(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::snapshot::EntryMeta;
    use serde_json::json;

    const ORG: &str = "53440100MJ0001000W";

    fn figure(id: &str, status: &str, explained: bool) -> Value {
        json!({"id": id, "label_zh": id, "label_en": id, "value": "0.5", "threshold": "0.7",
               "comparison": "at_least", "basis": "prior_year", "status": status,
               "decided_by": null, "bases": [], "explained": explained, "source": "src"})
    }

    /// A log whose newest entry was recorded at `unix` seconds.
    fn newest_entry_at(unix: i64) -> std::sync::Arc<std::collections::BTreeMap<u64, EntryMeta>> {
        let e = EntryMeta {
            seq: 80,
            leaf_hash: crate::ledger::Hash([0; 32]),
            author: "operator".into(),
            kind: "org.register",
            recorded_at: unix,
            body: None,
        };
        std::sync::Arc::new([(80, e)].into())
    }

    /// 2026-03-01 00:30 in China, 2026-02-28 16:30 UTC: the China date is the log's date.
    const MARCH_1_2026_CHINA: i64 = 1_772_296_200;
    /// 2025-12-31 23:30 in China.
    const DEC_31_2025_CHINA: i64 = 1_767_195_000;

    /// A social group without fundraising status (its rule exempts admin costs under
    /// 200,000): 2024 without a prior year, 2025 failed and explained with admin costs exempt,
    /// 2026 failing while in progress: the newest entry was recorded on 1 March 2026 in China.
    fn snapshot() -> Snapshot {
        let mut snap = Snapshot {
            judged_on: Some(time::macros::date!(2026 - 03 - 01)),
            entries: newest_entry_at(MARCH_1_2026_CHINA),
            ..Snapshot::default()
        };
        let mut put = |k: String, v: Value| {
            snap.insert_view(k, v);
        };
        put(
            keys::ORG.key(&[&ORG]),
            json!({"seq": 1, "recorded_at": "2024-01-02T00:00:00Z", "org": ORG, "name": "甲",
                   "org_type": "social_group", "region": "440100", "public_fundraising": false,
                   "registered_on": "2020-01-01", "keys": []}),
        );
        for (year, figs) in [
            (
                2024,
                vec![
                    figure("spend", "not_enough_data", false),
                    figure("admin", "pass", false),
                ],
            ),
            (
                2025,
                vec![
                    figure("spend", "fail", true),
                    figure("admin", "exempt", false),
                ],
            ),
            (2026, vec![figure("spend", "fail", false)]),
        ] {
            put(
                keys::COMPLIANCE.key(&[&ORG, &year, &"CNY"]),
                json!({"org": ORG, "year": year, "currency": "CNY", "figures": figs,
                       "public_fundraising": false, "sides": []}),
            );
        }
        let zero = "0.00";
        for year in [2024, 2025, 2026] {
            put(
                keys::FIGURES.key(&[&ORG, &year, &"CNY"]),
                json!({"org": ORG, "year": year, "currency": "CNY", "org_type": "social_group",
                       "public_fundraising": false, "income": zero, "donation_income": zero,
                       "in_kind_income": zero, "grant_income": zero, "lottery_income": zero,
                       "restricted_for_later_years": zero, "released_from_restriction": zero,
                       "charitable_spending": zero, "administrative_costs": "1234.50",
                       "fundraising_costs": zero, "total_spending": "1234.50",
                       "net_assets_year_end": zero, "explanation_present": year == 2025}),
            );
        }
        put(
            keys::EXPLANATION.key(&[&ORG, &2025]),
            json!([{"org": ORG, "seq": 77, "recorded_at": "2026-02-01T02:00:00Z", "year": 2025,
                    "subject": "支出比例", "text": "资金留作明年工程",
                    "published_on": "2026-02-01"}]),
        );
        let hash = "ab".repeat(32);
        put(
            keys::REPORT.key(&[&ORG, &2025]),
            json!({"org": ORG, "seq": 70, "recorded_at": "2026-01-20T02:00:00Z", "year": 2025,
                   "work_report": hash, "financial_report": hash, "published_on": "2026-01-20",
                   "figures": {"currency": "CNY", "income": zero, "charitable_spending": zero,
                       "administrative_costs": "1234.50", "fundraising_costs": zero,
                       "total_spending": "1234.50", "net_assets_year_end": zero}}),
        );
        // Each row reads as its family's type, as the rows the store hands the site do.
        for (k, v) in snap.views.iter() {
            if let Some(t) = crate::money::views::rows::typed_family(k) {
                t.check(k, v).unwrap();
            }
        }
        snap
    }

    #[test]
    fn finished_years_only_and_each_exception_with_its_reason() {
        let snap = snapshot();
        let rows = ratio_rows(&snap, None);
        let got: Vec<(i64, RatioStatus)> = rows.iter().map(|r| (r.year, r.status)).collect();
        assert_eq!(
            got,
            [
                (2025, RatioStatus::Explained),
                (2025, RatioStatus::Exempt),
                (2024, RatioStatus::NotEnoughData),
            ]
        );
        assert_eq!(rows[0].report_seq, Some(70));
        assert_eq!(
            rows[0].reason.text(true),
            "支出比例（2026-02-01发布）：资金留作明年工程"
        );
        assert_eq!(
            rows[1].reason.text(true),
            "管理费用¥1,234.50，低于¥200,000.00，不适用管理费用比例上限"
        );
        assert_eq!(rows[2].reason, Reason::NoPriorYear { prior: 2023 });
        // The CSV is the same rows.
        let t = ratios_table(&snap);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0][16], "77");
        // An empty log judges no year.
        let empty = Snapshot {
            entries: Default::default(),
            ..snapshot()
        };
        assert!(ratio_rows(&empty, None).is_empty());
    }

    /// The year in progress is the log's, as the cached figures judge it, not the build day's:
    /// built on 1 March 2026 from a log whose newest entry is of 31 December 2025 (China),
    /// 2025 is still in progress and not listed.
    #[test]
    fn a_year_is_finished_once_the_log_records_a_later_entry() {
        assert_eq!(
            ratios_read_on(&snapshot()),
            Some(time::macros::date!(2026 - 03 - 01))
        );
        let quiet = Snapshot {
            entries: newest_entry_at(DEC_31_2025_CHINA),
            ..snapshot()
        };
        assert_eq!(current_year(&quiet), Some(2025));
        let got: Vec<(i64, RatioStatus)> = ratio_rows(&quiet, None)
            .iter()
            .map(|r| (r.year, r.status))
            .collect();
        assert_eq!(got, [(2024, RatioStatus::NotEnoughData)]);
    }
}
