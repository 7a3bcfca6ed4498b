//! CSV and JSON downloads of every list the pages show (and the full lists the pages cut
//! short): one [`Table`] per list, written both ways, so a journalist can load the same rows
//! into a spreadsheet or a script. Money stays a decimal string, as on the wire.

use serde_json::{Map, Value};

use super::pages::project;
use super::snapshot::{EntryMeta, Snapshot, s};
use crate::money::views::keys;

/// A list with named columns; every cell is text.
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// RFC 4180 CSV with a header row.
    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to a Vec cannot fail; a row of the wrong width is our bug, and would show
        // up as a short file in the tests.
        let _ = w.write_record(&self.columns);
        for r in &self.rows {
            let _ = w.write_record(r);
        }
        w.into_inner().unwrap_or_default()
    }

    /// A JSON array of objects keyed by column.
    pub fn json(&self) -> Vec<u8> {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let m: Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| ((*c).to_owned(), Value::String(v.clone())))
                    .collect();
                Value::Object(m)
            })
            .collect();
        serde_json::to_vec_pretty(&rows).unwrap_or_default()
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
        let c = crate::site::corrected::row(snap, e.seq).map(|r| &r["correction"]);
        let corr = |f: &str| c.map(|c| text(&c[f])).unwrap_or_default();
        t.rows.push(vec![
            e.seq.to_string(),
            e.kind.clone(),
            e.author.clone(),
            crate::ledger::Timestamp::from_unix(e.recorded_at)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            e.leaf_hash.clone(),
            corr("action"),
            corr("by"),
            corr("notice"),
        ]);
    }
    t
}

/// The correction row of entry `seq`, if the entry was corrected (`entry/{seq}`: the notice,
/// the correcting entry, the original body).
fn correction_of<'a>(snap: &'a Snapshot, seq: &Value) -> Option<&'a Value> {
    let seq = seq.as_u64()?;
    snap.view(&keys::ENTRY.key(&[&seq]))
        .filter(|e| e.get("correction").is_some())
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
        let c = correction_of(snap, &d["seq"]);
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
        let r = crate::money::obligations::FlatRow::from(&o);
        t.rows.push(vec![
            r.org,
            r.kind.to_owned(),
            r.subject,
            r.period,
            r.due,
            r.status.to_owned(),
            r.disclosed,
            r.days_late.to_string(),
            r.met_by,
            r.source,
            judged_on.clone(),
        ]);
    }
    t
}

/// Every download as (path under `data/` without extension, table).
pub fn tables(snap: &Snapshot) -> Vec<(String, Table)> {
    let mut out = Vec::new();
    out.push((
        "orgs".to_owned(),
        fields(snap.rows(keys::ORG.prefix()), ORG_FIELDS),
    ));
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
        out.push((
            format!("projects/{org}/{id}-donations"),
            donations_table(snap, project::donations(snap, org, id).into_iter()),
        ));
    }
    out.push(("projects".to_owned(), projects));
    out.push((
        "donations".to_owned(),
        donations_table(
            snap,
            snap.rows(keys::DONATION.prefix())
                .filter(|d| d["status"] == "live"),
        ),
    ));
    let mut spends = Table::new(&[
        "seq", "kind", "org", "project", "currency", "amount", "category", "paid_on", "purpose",
    ]);
    for x in snap.rows(keys::SPEND.prefix()) {
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
    out.push(("disbursements".to_owned(), spends));
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
    out.push(("trusts".to_owned(), trusts));
    out.push((
        "lottery_grants".to_owned(),
        fields(snap.rows(keys::LOTTERY_GRANT.prefix()), GRANT_FIELDS),
    ));
    out.push((
        "entries".to_owned(),
        entries_table(snap, snap.entries.iter()),
    ));
    out.push(("obligations".to_owned(), obligations_table(snap)));
    out.push(("corrections".to_owned(), corrections_table(snap)));
    for o in snap.rows(keys::ORG.prefix()) {
        let author = format!("org:{}", s(o, "org"));
        out.push((
            format!("orgs/{}-entries", s(o, "org")),
            entries_table(snap, snap.entries.iter().filter(|e| e.author == author)),
        ));
    }
    out
}

/// `data/index.json`: every download's paths.
pub fn index(tables: &[(String, Table)]) -> Vec<u8> {
    let files: Vec<Value> = tables
        .iter()
        .map(|(name, t)| {
            serde_json::json!({
                "name": name,
                "rows": t.rows.len(),
                "csv": format!("{name}.csv"),
                "json": format!("{name}.json"),
            })
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({ "files": files })).unwrap_or_default()
}
