//! CSV and JSON downloads of every list the pages show (and the full lists the pages cut
//! short): one [`Table`] per list, written both ways, so a journalist can load the same rows
//! into a spreadsheet or a script. Money stays a decimal string, as on the wire.

use serde_json::Value;

use super::pages::project;
use super::snapshot::{EntryMeta, Snapshot, s, spend_order};
use super::{corrected, spreadsheet};
use crate::money::views::keys;

/// A list with named columns; every cell is text.
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// CSV with a header row, as spreadsheets open it safely ([`spreadsheet`]).
    pub fn csv(&self) -> Vec<u8> {
        spreadsheet::write(&self.columns, &self.rows)
    }

    /// A JSON array of objects keyed by column (in column order), written row by row: a
    /// tree of the whole table would cost several times its text.
    pub fn json(&self) -> Vec<u8> {
        // Writing to a Vec cannot fail.
        serde_json::to_vec_pretty(&RowsJson(self)).unwrap_or_default()
    }
}

/// A table's rows as JSON objects, for [`Table::json`].
struct RowsJson<'a>(&'a Table);

struct RowJson<'a> {
    columns: &'a [&'static str],
    row: &'a [String],
}

impl serde::Serialize for RowsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let columns = &self.0.columns;
        ser.collect_seq(self.0.rows.iter().map(|row| RowJson { columns, row }))
    }
}

impl serde::Serialize for RowJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_map(self.columns.iter().zip(self.row.iter().map(String::as_str)))
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Entries, each with how a live correction changed it, if one did (its notice goes with it:
/// 2025 Disclosure Measures Art. 16; the values are in `corrections`).
fn entries_table<'a>(snap: &Snapshot, entries: impl Iterator<Item = &'a EntryMeta>) -> Table {
    let mut t = Table::new(&[
        "seq",
        "kind",
        "author",
        "recorded_at",
        "leaf_hash",
        "correction",
        "corrected_by",
        "correction_notice",
    ]);
    for e in entries {
        let c = corrected::row(snap, e.seq).map(|r| &r["correction"]);
        let corr = |f: &str| c.map(|c| text(&c[f])).unwrap_or_default();
        t.rows.push(vec![
            e.seq.to_string(),
            e.kind.to_owned(),
            e.author.clone(),
            crate::ledger::Timestamp::from_unix(e.recorded_at)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            e.leaf_hash.to_hex(),
            corr("action"),
            corr("by"),
            corr("notice"),
        ]);
    }
    t
}

fn donations_table<'a>(snap: &Snapshot, rows: impl Iterator<Item = &'a Value>) -> Table {
    let mut t = Table::new(&[
        "org",
        "receipt_no",
        "project",
        "received_on",
        "amount",
        "currency",
        "donor_display",
        "status",
        "seq",
        "original_amount",
        "corrected_by",
        "correction_notice",
    ]);
    for d in rows {
        let c = d["seq"].as_u64().and_then(|seq| corrected::row(snap, seq));
        let corr = |f: &str| c.map(|e| text(&e["correction"][f])).unwrap_or_default();
        t.rows.push(vec![
            text(&d["org"]),
            text(&d["receipt_no"]),
            text(&d["project"]),
            text(&d["received_on"]),
            text(&d["amount"]),
            text(&d["currency"]),
            text(&d["donor_display"]),
            text(&d["status"]),
            text(&d["seq"]),
            c.map(|e| text(&e["original"]["amount"]))
                .unwrap_or_default(),
            corr("by"),
            corr("notice"),
        ]);
    }
    t
}

/// Every corrected entry: how it was corrected, by which entry, with which notice, and the
/// amount first recorded and now in force (for entries with an amount).
fn corrections_table(snap: &Snapshot) -> Table {
    let mut t = Table::new(&[
        "seq",
        "kind",
        "status",
        "action",
        "corrected_by",
        "notice",
        "original_amount",
        "current_amount",
    ]);
    for e in snap.rows(keys::ENTRY.prefix()) {
        let Some(c) = e.get("correction") else {
            continue;
        };
        t.rows.push(vec![
            text(&e["seq"]),
            text(&e["kind"]),
            text(&e["status"]),
            text(&c["action"]),
            text(&c["by"]),
            text(&c["notice"]),
            text(&e["original"]["amount"]),
            text(&e["current"]["amount"]),
        ]);
    }
    t
}

const ORG_FIELDS: &[&str] = &[
    "org",
    "name",
    "name_en",
    "org_type",
    "region",
    "public_fundraising",
    "registered_on",
    "seq",
];
/// `data/figures.csv`: one row per organisation, year and currency (issue 16), so a journalist
/// can compare organisations over the years in a spreadsheet.
const FIGURE_FIELDS: &[&str] = &[
    "org",
    "org_type",
    "public_fundraising",
    "year",
    "currency",
    "income",
    "donation_income",
    "in_kind_income",
    "grant_income",
    "lottery_income",
    "restricted_for_later_years",
    "released_from_restriction",
    "charitable_spending",
    "administrative_costs",
    "fundraising_costs",
    "total_spending",
    "net_assets_year_end",
    "explanation_present",
    "annual_report_seq",
];

/// Every organisation's figures by year, with its name beside its code.
fn figures_table(snap: &Snapshot) -> Table {
    let mut columns = vec!["org", "name"];
    columns.extend_from_slice(&FIGURE_FIELDS[1..]);
    let mut t = Table::new(&columns);
    for f in snap.rows(keys::FIGURES.prefix()) {
        let mut row = vec![text(&f["org"]), snap.org_name(s(f, "org")).to_owned()];
        row.extend(FIGURE_FIELDS[1..].iter().map(|c| text(&f[*c])));
        t.rows.push(row);
    }
    t
}

/// Every spend row, by the date paid, then entry number as a number
/// ([`crate::site::snapshot::spend_order`]).
pub fn disbursements(snap: &Snapshot) -> Vec<&Value> {
    let mut rows: Vec<(&str, &Value)> = snap.prefixed(keys::SPEND.prefix()).collect();
    rows.sort_by_cached_key(|(k, v)| spend_order(k, v));
    rows.into_iter().map(|(_, v)| v).collect()
}

const GRANT_FIELDS: &[&str] = &[
    "administrator",
    "grant_id",
    "fiscal_year",
    "recipient_org",
    "recipient_project",
    "purpose",
    "amount",
    "currency",
    "used",
    "remaining",
    "seq",
];

/// A table of rows' top-level fields, named as the columns.
fn fields<'a>(rows: impl Iterator<Item = &'a Value>, columns: &[&'static str]) -> Table {
    let mut t = Table::new(columns);
    for r in rows {
        t.rows.push(columns.iter().map(|f| text(&r[*f])).collect());
    }
    t
}

/// Every obligation judged on the snapshot's date, met ones included.
fn obligations_table(snap: &Snapshot) -> Table {
    let mut columns = crate::money::obligations::CSV_COLUMNS.to_vec();
    columns.push("judged_on");
    let mut t = Table::new(&columns);
    let judged_on = snap
        .judged_on
        .map(crate::ledger::time::format_date)
        .unwrap_or_default();
    for o in snap.obligations(None) {
        let mut cells = crate::money::obligations::FlatRow::from(&o).cells();
        cells.push(judged_on.clone());
        t.rows.push(cells);
    }
    t
}

/// Hands `f` every download as (path under `data/` without extension, table), one at a time
/// (the longest lists grow with the log: holding them all at once is what a build could not
/// afford), until `f` answers `false`.
pub fn for_each_table(snap: &Snapshot, mut f: impl FnMut(String, Table) -> bool) {
    // Hands a table over, and stops when `f` has what it wanted.
    macro_rules! emit {
        ($name:expr, $table:expr $(,)?) => {
            if !f($name, $table) {
                return;
            }
        };
    }
    emit!(
        "orgs".to_owned(),
        fields(snap.rows(keys::ORG.prefix()), ORG_FIELDS),
    );
    let mut projects = Table::new(&[
        "org", "id", "title", "purpose", "region", "currency", "target", "raised", "spent",
        "balance", "seq",
    ]);
    for p in snap.rows(keys::PROJECT.prefix()) {
        let (org, open) = (s(p, "org"), &p["open"]);
        let (id, cur) = (s(open, "id"), s(open, "currency"));
        let (raised, spent) = project::raised_spent(snap, org, id, cur);
        projects.rows.push(vec![
            org.to_owned(),
            id.to_owned(),
            text(&open["title"]),
            text(&open["purpose"]),
            text(&open["region"]),
            cur.to_owned(),
            text(&open["target"]),
            format!("{raised:.2}"),
            format!("{spent:.2}"),
            text(&p["balances"][cur]),
            text(&p["seq"]),
        ]);
        emit!(
            super::pages::project_donations_data(org, id),
            donations_table(snap, project::donations(snap, org, id).into_iter()),
        );
    }
    emit!("projects".to_owned(), projects);
    emit!(
        "donations".to_owned(),
        donations_table(
            snap,
            snap.rows(keys::DONATION.prefix())
                .filter(|d| d["status"] == "live"),
        ),
    );
    let mut spends = Table::new(&[
        "seq", "kind", "org", "project", "currency", "amount", "category", "paid_on", "purpose",
    ]);
    for x in disbursements(snap) {
        let seq = x["seq"].as_u64().unwrap_or_default();
        let purpose = snap
            .entry(seq)
            .and_then(|e| e.body.as_ref())
            .map(|b| text(&b["purpose"]))
            .unwrap_or_default();
        spends.rows.push(vec![
            seq.to_string(),
            text(&x["kind"]),
            text(&x["from"]["org"]),
            text(&x["from"]["project"]),
            text(&x["from"]["currency"]),
            text(&x["amount"]),
            text(&x["category"]),
            text(&x["paid_on"]),
            purpose,
        ]);
    }
    emit!("disbursements".to_owned(), spends);
    emit!("figures".to_owned(), figures_table(snap));
    let mut trusts = Table::new(&[
        "trust_id",
        "name",
        "trustee",
        "supervisor",
        "purpose",
        "property",
        "currency",
        "balance",
        "filing_no",
        "seq",
    ]);
    for t in snap.rows(keys::TRUST.prefix()) {
        let f = &t["filing"];
        trusts.rows.push(vec![
            text(&f["trust_id"]),
            text(&f["name"]),
            text(&f["trustee"]),
            text(&f["supervisor"]),
            text(&f["purpose"]),
            text(&f["property"]),
            text(&f["currency"]),
            text(&t["balance"]),
            text(&f["filing_no"]),
            text(&t["seq"]),
        ]);
    }
    emit!("trusts".to_owned(), trusts);
    emit!(
        "lottery_grants".to_owned(),
        fields(snap.rows(keys::LOTTERY_GRANT.prefix()), GRANT_FIELDS),
    );
    emit!(
        "entries".to_owned(),
        entries_table(snap, snap.entries.iter())
    );
    emit!("obligations".to_owned(), obligations_table(snap));
    emit!(
        super::pages::regulator::RATIOS_DATA.to_owned(),
        super::supervision::ratios_table(snap),
    );
    emit!(
        super::pages::regulator::DISCLOSURES_DATA.to_owned(),
        super::supervision::disclosures_table(snap),
    );
    emit!("corrections".to_owned(), corrections_table(snap));
    for o in snap.rows(keys::ORG.prefix()) {
        let author = format!("org:{}", s(o, "org"));
        emit!(
            super::pages::org_entries_data(s(o, "org")),
            entries_table(snap, snap.entries.iter().filter(|e| e.author == author)),
        );
    }
}

/// `data/index.json`: every download's paths, from each table's name and row count.
pub fn index(tables: &[(String, usize)]) -> Vec<u8> {
    let files: Vec<Value> = tables
        .iter()
        .map(|(name, rows)| {
            serde_json::json!({
                "name": name,
                "rows": rows,
                "csv": format!("{name}.csv"),
                "json": format!("{name}.json"),
            })
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({ "files": files })).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Table;
    use serde_json::{Map, Value};

    /// The row-by-row JSON is byte for byte what a tree of the whole table gives (the way
    /// it was written before), column order kept.
    #[test]
    fn json_rows_are_written_as_a_tree_of_the_table_would_be() {
        let mut t = Table::new(&["org", "amount", "备注"]);
        t.rows
            .push(vec!["5344\"01".into(), "1\n2".into(), "¥3,000.00".into()]);
        t.rows.push(vec![
            String::new(),
            "=HYPERLINK(\"x\")".into(),
            "\u{1}".into(),
        ]);
        let tree: Vec<Value> = t
            .rows
            .iter()
            .map(|r| {
                let m: Map<String, Value> = t
                    .columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| ((*c).to_owned(), Value::String(v.clone())))
                    .collect();
                Value::Object(m)
            })
            .collect();
        let json = String::from_utf8(t.json()).unwrap();
        assert_eq!(json, serde_json::to_string_pretty(&tree).unwrap());
        // In column order, not sorted.
        assert!(json.find("\"org\"") < json.find("\"amount\""));
        assert_eq!(Table::new(&["a"]).json(), b"[]");
    }
}
