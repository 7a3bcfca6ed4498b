//! An organisation's money by year as a journalist compares it (issue 16): income, spending
//! and the two regulator ratios, read from the `figures/` and `compliance/` views — the site
//! shows the ratios the compliance rules computed and never works them out again.
//!
//! The organisation list shows the latest *finished* year (a year still running would compare
//! half a year with a whole one); the comparison page (`compare/`) reads every year from one
//! small file per organisation, `data/compare/{code}.json`, so it works on a static host and
//! the files grow with organisations and years, not with entries.

use serde_json::{Value, json};

use super::slug;
use super::snapshot::Snapshot;
use crate::money::compliance::Figure;
use crate::money::keys;
use crate::money::types::Money;
use crate::money::views::rows::{ComplianceRow, FiguresRow};

/// Where the comparison files are, from the site root.
pub const DIR: &str = "data/compare/";

/// One money figure of a `figures/` row.
pub type FigureField = fn(&FiguresRow) -> Money;

/// The figures the comparison shows, in this order: the `figures/` field's name and value.
pub const MONEY_FIELDS: &[(&str, FigureField)] = &[
    ("income", |f| f.income),
    ("donation_income", |f| f.donation_income),
    ("charitable_spending", |f| f.charitable_spending),
    ("administrative_costs", |f| f.administrative_costs),
    ("fundraising_costs", |f| f.fundraising_costs),
    ("total_spending", |f| f.total_spending),
    ("net_assets_year_end", |f| f.net_assets_year_end),
];

/// The latest finished year, as the ratio figures judge it: the year before the one in
/// progress by the log's clock ([`super::supervision::current_year`]), so the list, the
/// comparison, the organisation page and the supervision page agree on which year is over.
pub fn latest_finished_year(snap: &Snapshot) -> Option<i64> {
    super::supervision::current_year(snap).map(|y| y - 1)
}

/// The charitable-spending figure of a `compliance/` row (against prior-year revenue or prior
/// net assets, whichever rule applies to the organisation), if the row has one.
pub fn charitable_ratio(row: &ComplianceRow) -> Option<&Figure> {
    figure(row, |id| id.starts_with("charitable_spending"))
}

/// The administrative-cost figure of a `compliance/` row.
pub fn admin_ratio(row: &ComplianceRow) -> Option<&Figure> {
    figure(row, |id| id == "admin_cost_ratio")
}

fn figure(row: &ComplianceRow, pick: impl Fn(&str) -> bool) -> Option<&Figure> {
    row.figures.iter().find(|f| pick(&f.id))
}

/// One organisation-year in `currency`: its `figures/` row and its `compliance/` row.
pub fn year(
    snap: &Snapshot,
    org: &str,
    year: i64,
    currency: &str,
) -> (Option<FiguresRow>, Option<ComplianceRow>) {
    (
        snap.typed(&keys::FIGURES.key(&[&org, &year, &currency])),
        snap.typed(&keys::COMPLIANCE.key(&[&org, &year, &currency])),
    )
}

/// A ratio figure as the browser needs it (the rule's `source` stays on the organisation's
/// page: it is long and the same for every year).
fn ratio_json(f: &Figure) -> Value {
    // The ratios as the row spells them ("0.0583"; null without one).
    let ratio = |v: Option<rust_decimal::Decimal>| v.map(|d| d.to_string());
    json!({
        "id": f.id,
        "label_zh": f.label_zh,
        "label_en": f.label_en,
        "value": ratio(f.value),
        "threshold": ratio(f.threshold),
        "comparison": f.comparison,
        "status": f.status,
        "explained": f.explained,
    })
}

/// `data/compare/{code}.json`: the organisation's facts and every year's figures and ratios.
pub fn org_file(snap: &Snapshot, org: &str) -> Option<Vec<u8>> {
    let o = snap.org(org)?.register;
    let finished = latest_finished_year(snap);
    let years: Vec<Value> = snap
        .typed_values::<FiguresRow>(&keys::FIGURES.under(&[&org]))
        .map(|f| {
            let (y, cur) = (i64::from(f.year), f.currency.as_str());
            let mut row = serde_json::Map::new();
            row.insert("year".into(), y.into());
            row.insert("currency".into(), cur.into());
            row.insert("finished".into(), finished.is_some_and(|l| y <= l).into());
            for (field, value) in MONEY_FIELDS {
                row.insert((*field).into(), value(&f).to_string().into());
            }
            let ratios: Vec<Value> = year(snap, org, y, cur)
                .1
                .map(|c| {
                    [charitable_ratio(&c), admin_ratio(&c)]
                        .into_iter()
                        .flatten()
                        .map(ratio_json)
                        .collect()
                })
                .unwrap_or_default();
            row.insert("ratios".into(), ratios.into());
            Value::Object(row)
        })
        .collect();
    let doc = json!({
        "org": org,
        "name": o.name.as_str(),
        "name_en": o.name_en.as_ref().map(|n| n.as_str()),
        "org_type": o.org_type.as_str(),
        "region": o.region.as_str(),
        "page": super::pages::org_path(org),
        "years": years,
    });
    Some(serde_json::to_vec(&doc).unwrap_or_default())
}

/// Every comparison file: (path from the site root, bytes).
pub fn files(snap: &Snapshot) -> Vec<(String, Vec<u8>)> {
    snap.orgs()
        .filter_map(|o| {
            let org = o.register.org.as_str();
            Some((path(org), org_file(snap, org)?))
        })
        .collect()
}

/// The comparison file of `org`, from the site root.
pub fn path(org: &str) -> String {
    format!("{DIR}{}.json", slug::encode(org))
}

/// The live server's answer for `file` under [`DIR`].
pub fn file(snap: &Snapshot, file: &str) -> Option<Vec<u8>> {
    let org = slug::decode(file.strip_suffix(".json")?)?;
    org_file(snap, &org)
}
