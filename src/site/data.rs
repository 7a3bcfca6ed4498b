//! CSV and JSON downloads of every list the pages show (and the full lists the pages cut
//! short): one [`Table`] per list, written both ways, so a journalist can load the same rows
//! into a spreadsheet or a script. Money stays a decimal string, as on the wire.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::pages::project;
use super::snapshot::{EntryMeta, Snapshot, spend_order};
use super::{corrected, spreadsheet};
use crate::ledger::time::format_date;
use crate::money::views::keys;
use crate::money::views::rows::{
    CorrectionNotice, DonationRow, DonationStatus, EntryRow, FiguresRow, GrantRow, OrgRow,
    ProjectRow, SpendRow, TrustRow,
};

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

    /// A JSON array of objects keyed by column (in column order), one object a line
    /// ([`json_row`]): a tree of the whole table would cost several times its text.
    pub fn json(&self) -> Vec<u8> {
        let mut out = b"[".to_vec();
        for (i, row) in self.rows.iter().enumerate() {
            // Writing to a Vec cannot fail.
            let _ = json_row(&mut out, &self.columns, row, i == 0);
        }
        out.extend_from_slice(if self.rows.is_empty() { b"]" } else { b"\n]" });
        out
    }
}

/// One row of a JSON download: an object on a line of its own. Not indented: a row a line
/// reads and diffs as well, and indentation made a fifth of the downloads' bytes, which grow
/// with the log (issue 13's 3 KB an entry).
fn json_row(
    out: &mut impl std::io::Write,
    columns: &[&'static str],
    row: &[String],
    first: bool,
) -> std::io::Result<()> {
    out.write_all(if first { b"\n" } else { b",\n" })?;
    serde_json::to_writer(out, &RowJson { columns, row }).map_err(std::io::Error::other)
}

struct RowJson<'a> {
    columns: &'a [&'static str],
    row: &'a [String],
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

/// A typed field as a cell: its wire form's text (a string as is, a number spelled, absent
/// empty), so a download says exactly what the row holds.
fn cell<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_value(v)
        .map(|v| text(&v))
        .unwrap_or_default()
}

/// The cells of the live correction that last changed an entry: what it did, by which entry,
/// with which notice.
fn correction_cells(c: Option<&CorrectionNotice>) -> [String; 3] {
    match c {
        Some(c) => [cell(&c.action), c.by.to_string(), c.notice.clone()],
        None => Default::default(),
    }
}

/// The amount of an entry body as the log holds it (`original`, `current` of an entry row: a
/// body of the entry's own kind, kept as JSON). Bodies are wire JSON, not view rows; every
/// kind that moves money names it `amount`.
fn body_amount(body: Option<&Value>) -> String {
    body.and_then(|b| b.get("amount"))
        .map(text)
        .unwrap_or_default()
}

/// The columns of an entries download.
pub const ENTRY_COLUMNS: &[&str] = &[
    "seq",
    "kind",
    "author",
    "recorded_at",
    "leaf_hash",
    "correction",
    "corrected_by",
    "correction_notice",
];

/// Entry `e`'s row, with how a live correction changed it, if one did (its notice goes with
/// it: 2025 Disclosure Measures Art. 16; the values are in `corrections`).
pub fn entry_cells(snap: &Snapshot, e: &EntryMeta) -> Vec<String> {
    let row = corrected::row(snap, e.seq);
    let [action, by, notice] = correction_cells(row.as_ref().and_then(|r| r.correction.as_ref()));
    vec![
        e.seq.to_string(),
        e.kind.to_owned(),
        e.author.clone(),
        crate::ledger::Timestamp::from_unix(e.recorded_at)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        e.leaf_hash.to_hex(),
        action,
        by,
        notice,
    ]
}

fn entries_table<'a>(snap: &Snapshot, entries: impl Iterator<Item = &'a EntryMeta>) -> Table {
    let mut t = Table::new(ENTRY_COLUMNS);
    t.rows.extend(entries.map(|e| entry_cells(snap, e)));
    t
}

/// The columns of a donations download.
pub const DONATION_COLUMNS: &[&str] = &[
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
];

/// Donation row `d` as a download shows it.
pub fn donation_cells(snap: &Snapshot, d: &DonationRow) -> Vec<String> {
    let (r, b) = (&d.record, &d.record.body);
    let row = corrected::row(snap, r.seq);
    let [_, by, notice] = correction_cells(row.as_ref().and_then(|e| e.correction.as_ref()));
    vec![
        r.org.to_string(),
        b.receipt_no.as_str().to_owned(),
        cell(&b.project),
        format_date(b.received_on),
        cell(&b.amount),
        cell(&b.currency),
        b.donor_display.as_str().to_owned(),
        cell(&d.status),
        r.seq.to_string(),
        body_amount(row.as_ref().and_then(|e| e.original.as_ref())),
        by,
        notice,
    ]
}

/// The live donations of a unit (or any snapshot), in key order: its part of `donations`.
pub fn live_donations(snap: &Snapshot) -> impl Iterator<Item = DonationRow> {
    snap.typed_values::<DonationRow>(keys::DONATION.prefix())
        .filter(|d| d.status == DonationStatus::Live)
}

fn donations_table(snap: &Snapshot, rows: impl Iterator<Item = DonationRow>) -> Table {
    let mut t = Table::new(DONATION_COLUMNS);
    t.rows.extend(rows.map(|d| donation_cells(snap, &d)));
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
    for e in snap.typed_values::<EntryRow>(keys::ENTRY.prefix()) {
        let Some(c) = &e.correction else {
            continue;
        };
        let [action, by, notice] = correction_cells(Some(c));
        t.rows.push(vec![
            e.seq.to_string(),
            e.kind.as_str().to_owned(),
            cell(&e.status),
            action,
            by,
            notice,
            body_amount(e.original.as_ref()),
            body_amount(e.current.as_ref()),
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
    for (f, wire) in typed_with_wire::<FiguresRow>(snap, keys::FIGURES.prefix()) {
        let org = f.org.to_string();
        let mut row = vec![snap.org_name(&org)];
        row.insert(0, org);
        row.extend(FIGURE_FIELDS[1..].iter().map(|c| text(&wire[*c])));
        t.rows.push(row);
    }
    t
}

/// Every spend row, by the date paid, then entry number as a number
/// ([`crate::site::snapshot::spend_order`]).
pub fn disbursements(snap: &Snapshot) -> Vec<SpendRow> {
    let mut rows: Vec<(&str, SpendRow)> = snap.typed_rows(keys::SPEND.prefix()).collect();
    rows.sort_by_cached_key(|(k, x)| spend_order(k, Some(x.paid_on)));
    rows.into_iter().map(|(_, x)| x).collect()
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

/// The rows under `prefix` read as their type `T` (a row that does not read is left out, as
/// in every typed read of the site), each with its wire form, whose fields a table names as
/// its columns. The test `every_column_of_a_typed_table_is_a_field_of_its_row` holds each
/// column list to its type's fields, so a renamed field cannot leave a column empty.
fn typed_with_wire<'a, T: DeserializeOwned + Serialize + 'a>(
    snap: &'a Snapshot,
    prefix: &str,
) -> impl Iterator<Item = (T, Value)> + use<'a, T> {
    snap.typed_values::<T>(prefix).map(|row| {
        let wire = serde_json::to_value(&row).unwrap_or_default();
        (row, wire)
    })
}

/// A table of typed rows' top-level fields, named as the columns ([`typed_with_wire`]).
fn fields<T: DeserializeOwned + Serialize>(
    snap: &Snapshot,
    prefix: &str,
    columns: &[&'static str],
) -> Table {
    let mut t = Table::new(columns);
    for (_, wire) in typed_with_wire::<T>(snap, prefix) {
        t.rows
            .push(columns.iter().map(|f| text(&wire[*f])).collect());
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

/// The downloads that list the whole log row by row (every donation, every entry): written as
/// they stream ([`Stream`]), never held as a table.
pub const DONATIONS: &str = "donations";
pub const ENTRIES: &str = "entries";

/// Hands `f` every download made from the summaries, as (path under `data/` without
/// extension, table), one at a time, until `f` answers `false`. The projects list needs
/// [`Snapshot::raised`] filled.
pub fn summary_tables(snap: &Snapshot, mut f: impl FnMut(String, Table) -> bool) {
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
        fields::<OrgRow>(snap, keys::ORG.prefix(), ORG_FIELDS),
    );
    let mut projects = Table::new(&[
        "org", "id", "title", "purpose", "region", "currency", "target", "raised", "spent",
        "balance", "seq",
    ]);
    for p in snap.typed_values::<ProjectRow>(keys::PROJECT.prefix()) {
        let (org, open) = (p.record.org.as_str(), &p.record.open);
        let (id, cur) = (open.id.as_str(), open.currency.as_str());
        let (raised, spent) = project::raised_spent(snap, org, id, cur);
        projects.rows.push(vec![
            org.to_owned(),
            id.to_owned(),
            open.title.as_str().to_owned(),
            open.purpose.as_str().to_owned(),
            open.region.as_str().to_owned(),
            cur.to_owned(),
            open.target.to_string(),
            format!("{raised:.2}"),
            format!("{spent:.2}"),
            p.balances
                .get(cur)
                .map(ToString::to_string)
                .unwrap_or_default(),
            p.record.seq.to_string(),
        ]);
    }
    emit!("projects".to_owned(), projects);
    let mut spends = Table::new(&[
        "seq", "kind", "org", "project", "currency", "amount", "category", "paid_on", "purpose",
    ]);
    for x in disbursements(snap) {
        // The entry's body, as the log holds it: every kind that spends says what for.
        let purpose = snap
            .entry(x.seq)
            .and_then(|e| e.body.as_ref())
            .and_then(|b| b.get("purpose"))
            .map(text)
            .unwrap_or_default();
        spends.rows.push(vec![
            x.seq.to_string(),
            x.kind.as_str().to_owned(),
            x.from.org.to_string(),
            cell(&x.from.project),
            cell(&x.from.currency),
            cell(&x.amount),
            cell(&x.category),
            format_date(x.paid_on),
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
    for t in snap.typed_values::<TrustRow>(keys::TRUST.prefix()) {
        let f = &t.filing;
        trusts.rows.push(vec![
            f.trust_id.as_str().to_owned(),
            cell(&f.name),
            f.trustee.to_string(),
            cell(&f.supervisor),
            cell(&f.purpose),
            cell(&f.property),
            cell(&f.currency),
            cell(&t.balance),
            f.filing_no.as_str().to_owned(),
            t.seq.to_string(),
        ]);
    }
    emit!("trusts".to_owned(), trusts);
    emit!(
        "lottery_grants".to_owned(),
        fields::<GrantRow>(snap, keys::LOTTERY_GRANT.prefix(), GRANT_FIELDS),
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
}

/// Hands `f` the downloads of organisation `org`, from its unit: each project's donations and
/// the entries it signed.
pub fn unit_tables(unit: &Snapshot, org: &str, mut f: impl FnMut(String, Table) -> bool) {
    for p in unit.typed_values::<ProjectRow>(&keys::PROJECT.under(&[&org])) {
        let id = p.record.open.id.as_str();
        let name = super::pages::project_donations_data(org, id);
        if !f(
            name,
            donations_table(unit, project::donations(unit, org, id).into_iter()),
        ) {
            return;
        }
    }
    let author = format!("org:{org}");
    f(
        super::pages::org_entries_data(org),
        entries_table(unit, unit.signed_by(&author)),
    );
}

/// The organisation whose unit makes download `stem` ([`unit_tables`]), if one does:
/// `orgs/{org}-entries` and `projects/{org}/{id}-donations`.
pub fn org_of(stem: &str) -> Option<String> {
    let enc = match stem.split('/').collect::<Vec<_>>().as_slice() {
        ["orgs", file] => file.strip_suffix("-entries")?,
        ["projects", org, file] if file.ends_with("-donations") => org,
        _ => return None,
    };
    super::slug::decode(enc)
}

/// A download written row by row as CSV and JSON into two sinks, with the same bytes as
/// [`Table::csv`] and [`Table::json`] of the whole table.
///
/// It counts what it wrote ([`Mark`]), so an incremental site build can copy the rows of an
/// unchanged part from the previous build's files ([`Stream::splice`]) instead of reading and
/// rendering them again (issue 13: one new entry rebuilds in seconds at a million).
pub struct Stream<W: std::io::Write> {
    csv: W,
    json: W,
    columns: &'static [&'static str],
    at: Mark,
    line: Vec<u8>,
}

/// Where a download stood: bytes of its CSV and JSON files, and rows, written so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    pub csv: u64,
    pub json: u64,
    pub rows: usize,
}

/// The rows between two [`Mark`]s of one download: what [`Stream::splice`] copies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub from: Mark,
    pub to: Mark,
}

impl Span {
    pub fn rows(&self) -> usize {
        self.to.rows.saturating_sub(self.from.rows)
    }
}

impl<W: std::io::Write> Stream<W> {
    pub fn new(columns: &'static [&'static str], csv: W, json: W) -> std::io::Result<Self> {
        let mut s = Stream {
            csv,
            json,
            columns,
            at: Mark::default(),
            line: Vec::new(),
        };
        s.line.extend_from_slice(spreadsheet::BOM.as_bytes());
        spreadsheet::encode_row(&mut s.line, columns)?;
        s.put_csv()?;
        s.json.write_all(b"[")?;
        s.at.json = 1;
        Ok(s)
    }

    fn put_csv(&mut self) -> std::io::Result<()> {
        self.csv.write_all(&self.line)?;
        self.at.csv += self.line.len() as u64;
        self.line.clear();
        Ok(())
    }

    fn put_json(&mut self) -> std::io::Result<()> {
        self.json.write_all(&self.line)?;
        self.at.json += self.line.len() as u64;
        self.line.clear();
        Ok(())
    }

    pub fn row(&mut self, cells: &[String]) -> std::io::Result<()> {
        spreadsheet::encode_row(&mut self.line, cells)?;
        self.put_csv()?;
        json_row(&mut self.line, self.columns, cells, self.at.rows == 0)?;
        self.put_json()?;
        self.at.rows += 1;
        Ok(())
    }

    /// What has been written so far.
    pub fn mark(&self) -> Mark {
        self.at
    }

    /// Appends `rows` rows given as the bytes an earlier stream of the same columns wrote
    /// between two marks: `csv` as they were, `json` with its first row's separator made right
    /// for its new place (the first row of a file has none). Refuses JSON that does not start
    /// with a row separator: the bytes are not what a [`Span`] of a download holds.
    pub fn splice(
        &mut self,
        mut csv: impl std::io::Read,
        mut json: impl std::io::Read,
        rows: usize,
    ) -> std::io::Result<()> {
        if rows == 0 {
            return Ok(());
        }
        let not_rows = || std::io::Error::other("the copied rows do not start with a row");
        let mut head = [0u8; 1];
        json.read_exact(&mut head)?;
        if head == *b"," {
            json.read_exact(&mut head)?;
        }
        if head != *b"\n" {
            return Err(not_rows());
        }
        self.at.csv += std::io::copy(&mut csv, &mut self.csv)?;
        let sep: &[u8] = if self.at.rows == 0 { b"\n" } else { b",\n" };
        self.json.write_all(sep)?;
        self.at.json += sep.len() as u64;
        self.at.json += std::io::copy(&mut json, &mut self.json)?;
        self.at.rows += rows;
        Ok(())
    }

    /// The number of rows written, and the two sinks.
    pub fn finish(mut self) -> std::io::Result<(usize, W, W)> {
        self.json
            .write_all(if self.at.rows == 0 { b"]" } else { b"\n]" })?;
        Ok((self.at.rows, self.csv, self.json))
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
    use super::{Stream, Table};
    use serde_json::{Map, Value};

    /// Fields a table names by their wire names must be fields of the row type: a renamed one
    /// would leave its column empty on every row. Rows of each family, from a small ledger made
    /// with the money model's test kit, name every column at least once.
    #[test]
    fn every_column_of_a_typed_table_is_a_field_of_its_row() {
        use crate::ledger::Kind;
        use crate::money::tests::testkit::{Kit, cash};
        use crate::money::views::keys;
        use crate::money::views::rows::{FiguresRow, GrantRow, OrgRow};
        use crate::site::snapshot::Snapshot;

        let mut k = Kit::new();
        let admin = k.register(1, "lottery_administrator", false);
        // As `Kit::register`, with the optional English name too.
        let org = crate::money::tests::testkit::org_id(2);
        let key = crate::ledger::SecretKey::from_seed([12; 32]);
        k.as_reg(
            Kind::OrgRegister,
            serde_json::json!({"org": org.as_str(), "name": "测试基金会2",
                "name_en": "Test Foundation 2", "org_type": "foundation", "region": "530000",
                "public_fundraising": true, "registered_on": "2020-01-01",
                "keys": [key.public().to_hex()]}),
        )
        .expect("a registration");
        k.project(&org, "P1", "教育");
        k.as_org(
            &org,
            Kind::Donation,
            cash("R1", Some("P1"), "100.00", "CNY"),
        )
        .expect("a donation");
        k.as_org(
            &admin,
            Kind::LotteryGrant,
            serde_json::json!({"grant_id": "G1", "fiscal_year": 2026,
                "recipient_org": org.as_str(), "recipient_project": "P1", "amount": "50.00",
                "currency": "CNY", "purpose": "儿童福利", "granted_on": "2026-02-01"}),
        )
        .expect("a grant");
        k.as_org(
            &org,
            Kind::ReportAnnual,
            serde_json::json!({"year": 2025, "work_report": crate::money::tests::testkit::h(1),
                "financial_report": crate::money::tests::testkit::h(2),
                "published_on": "2026-05-20",
                "figures": {"currency": "CNY", "income": "100.00",
                    "charitable_spending": "0.00", "administrative_costs": "0.00",
                    "fundraising_costs": "0.00", "total_spending": "0.00",
                    "net_assets_year_end": "100.00"}}),
        )
        .expect("an annual report");
        let mut snap = Snapshot::default();
        for (key, text) in k.view_rows() {
            let value: Value = serde_json::from_str(&text).expect("a row is JSON");
            snap.insert_view(key, value);
        }
        fn named<T: serde::de::DeserializeOwned + serde::Serialize>(
            snap: &Snapshot,
            prefix: &str,
            columns: &[&str],
        ) {
            let rows: Vec<Value> = super::typed_with_wire::<T>(snap, prefix)
                .map(|(_, wire)| wire)
                .collect();
            assert!(!rows.is_empty(), "no {prefix} row read as its type");
            for c in columns {
                assert!(
                    rows.iter().any(|r| r.get(*c).is_some()),
                    "column {c} names no field of a {prefix} row"
                );
            }
        }
        named::<OrgRow>(&snap, keys::ORG.prefix(), super::ORG_FIELDS);
        named::<FiguresRow>(&snap, keys::FIGURES.prefix(), super::FIGURE_FIELDS);
        named::<GrantRow>(&snap, keys::LOTTERY_GRANT.prefix(), super::GRANT_FIELDS);
    }

    /// A download written as it streams has the bytes of the same table written whole, with
    /// no rows, one row, and rows holding quotes, newlines and formula starts.
    #[test]
    fn a_streamed_table_is_byte_for_byte_the_table() {
        const COLUMNS: &[&str] = &["org", "amount", "备注"];
        let rows: Vec<Vec<String>> = vec![
            vec!["5344\"01".into(), "1\n2".into(), "¥3,000.00".into()],
            vec![String::new(), "=HYPERLINK(\"x\")".into(), "\u{1}".into()],
            vec!["-12.50".into(), "{\"a\": [1]}".into(), "  indented".into()],
        ];
        for n in 0..=rows.len() {
            let mut t = Table::new(COLUMNS);
            t.rows = rows[..n].to_vec();
            let mut s = Stream::new(COLUMNS, Vec::new(), Vec::new()).unwrap();
            for r in &rows[..n] {
                s.row(r).unwrap();
            }
            let (count, csv, json) = s.finish().unwrap();
            assert_eq!(count, n);
            assert_eq!(
                String::from_utf8(csv).unwrap(),
                String::from_utf8(t.csv()).unwrap()
            );
            assert_eq!(
                String::from_utf8(json).unwrap(),
                String::from_utf8(t.json()).unwrap()
            );
        }
    }

    /// Rows copied from an earlier file between two marks make the bytes writing them again
    /// would: parts dropped, moved to the front (the first row's separator changes) or kept
    /// behind new rows, with no rows and with quotes and newlines in cells.
    #[test]
    fn spliced_rows_are_the_rows_written_again() {
        const COLUMNS: &[&str] = &["org", "amount"];
        let rows: Vec<Vec<String>> = (0..7)
            .map(|i| vec![format!("org \"{i}\""), format!("{i}\n.50")])
            .collect();
        let write = |rows: &[Vec<String>]| {
            let mut s = Stream::new(COLUMNS, Vec::new(), Vec::new()).unwrap();
            let mut marks = vec![s.mark()];
            for r in rows {
                s.row(r).unwrap();
                marks.push(s.mark());
            }
            let (_, csv, json) = s.finish().unwrap();
            (csv, json, marks)
        };
        let (csv, json, marks) = write(&rows);
        // Parts of the old file, by row ranges, in a new order, with new rows among them.
        let plans: &[&[(usize, usize)]] =
            &[&[(0, 7)], &[(2, 5)], &[(3, 7), (0, 2)], &[(4, 4)], &[]];
        for plan in plans {
            for new_first in [false, true] {
                let mut expected: Vec<Vec<String>> = Vec::new();
                let mut s = Stream::new(COLUMNS, Vec::new(), Vec::new()).unwrap();
                let fresh = vec!["new".to_owned(), "-1.00".to_owned()];
                if new_first {
                    s.row(&fresh).unwrap();
                    expected.push(fresh.clone());
                }
                for &(a, b) in *plan {
                    let (from, to) = (marks[a], marks[b]);
                    s.splice(
                        &csv[from.csv as usize..to.csv as usize][..],
                        &json[from.json as usize..to.json as usize][..],
                        to.rows - from.rows,
                    )
                    .unwrap();
                    expected.extend(rows[a..b].iter().cloned());
                }
                s.row(&fresh).unwrap();
                expected.push(fresh);
                let (count, got_csv, got_json) = s.finish().unwrap();
                let (want_csv, want_json, _) = write(&expected);
                assert_eq!(count, expected.len());
                assert_eq!(
                    String::from_utf8(got_csv).unwrap(),
                    String::from_utf8(want_csv).unwrap(),
                    "{plan:?}"
                );
                assert_eq!(
                    String::from_utf8(got_json).unwrap(),
                    String::from_utf8(want_json).unwrap(),
                    "{plan:?}"
                );
            }
        }
        // Bytes that are not rows are refused, not written.
        let mut s = Stream::new(COLUMNS, Vec::new(), Vec::new()).unwrap();
        assert!(s.splice(&b"x"[..], &b"{}"[..], 1).is_err());
    }

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
        assert_eq!(
            serde_json::from_str::<Value>(&json).unwrap(),
            Value::Array(tree.clone())
        );
        // One object a line, between the brackets' lines.
        let lines: Vec<&str> = json.split('\n').collect();
        assert_eq!(lines.len(), tree.len() + 2, "{json}");
        assert_eq!((lines[0], lines[lines.len() - 1]), ("[", "]"));
        for (line, row) in lines[1..=tree.len()].iter().zip(&tree) {
            let line = line.strip_suffix(',').unwrap_or(line);
            assert_eq!(serde_json::from_str::<Value>(line).unwrap(), *row);
        }
        // In column order, not sorted.
        assert!(json.find("\"org\"") < json.find("\"amount\""));
        assert_eq!(Table::new(&["a"]).json(), b"[]");
    }
}
