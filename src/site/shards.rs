//! Receipts as data, not pages: each organisation's donations (row, trace, leaf hash) in a few
//! JSON shards under `data/org/{uscc}/`, which the one receipt page per language
//! (`receipts/view.html?org=..&no=..`, rendered by `static/view.js`) reads in the browser.
//!
//! A page per donation per language cost two files of about 4 KB on disk for every donation,
//! more than the whole site's budget per entry; a shard holds dozens of receipts in one file, and
//! only the shards whose donations moved are written again.
//!
//! - `data/org/{uscc}/index.json`: `{"name", "name_en", "receipt_bits", "projects"}` — the
//!   organisation's names (the entry viewer shows signers by name), how many shards its receipts
//!   are split into (2^bits), and its projects' titles by id (`[title, title_en or null]`), so
//!   the entry viewer's summary names the project an entry concerns.
//! - `data/org/{uscc}/receipts-{b}.json`: `{receipt_no: {"row", "trace", "leaf_hash",
//!   "spends", "correction"}}` for the receipts whose SHA-256 of the receipt number has `b` in
//!   its top `bits` bits. The browser computes the same bucket with WebCrypto. `spends` says,
//!   for each disbursement the trace lists, what a donor asks of it (issue 16): its purpose,
//!   the payee as the entry shows it (masked for individuals), and the project's titles and
//!   page; `correction` is the donation's `entry/{seq}` row if a live correction amended or
//!   voided it, else null.
//!
//! Bits grow with the organisation so a shard stays near [`RECEIPTS_PER_SHARD`]; when they grow,
//! each shard splits in two (the top bits of a hash are a prefix of the next bit count's).

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::snapshot::Snapshot;
use crate::money::bodies::ProjectOpen;
use crate::money::views::keys;
use crate::money::views::rows::{DonationRow, ProjectRow, TraceRow};

/// Receipts a shard holds on average at most, before an organisation's shards split in two: a
/// donor's browser fetches one shard, so it stays a few tens of kilobytes.
pub const RECEIPTS_PER_SHARD: usize = 64;
/// Most bits (65,536 shards per organisation: 4 million receipts at the average above).
const MAX_BITS: u32 = 16;

/// Where organisations' data files are, from the site root.
pub const DIR: &str = "data/org/";

/// The directory of an organisation's data files, from the site root.
pub fn org_dir(uscc: &str) -> String {
    format!("{DIR}{uscc}/")
}

/// How many bits of the hash pick an organisation's shard, for `count` receipts.
pub fn bits_for(count: usize) -> u32 {
    let mut bits = 0;
    while bits < MAX_BITS && count > RECEIPTS_PER_SHARD << bits {
        bits += 1;
    }
    bits
}

/// The shard of receipt `no` among 2^`bits`: the top `bits` bits of SHA-256(no).
pub fn bucket(no: &str, bits: u32) -> u32 {
    if bits == 0 {
        return 0;
    }
    let d = Sha256::digest(no.as_bytes());
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) >> (32 - bits)
}

/// The receipt numbers of `org`'s donations, in key order.
fn receipts<'a>(snap: &'a Snapshot, org: &str) -> impl Iterator<Item = &'a str> + use<'a> {
    let prefix = keys::DONATION.under(&[&org]);
    let at = prefix.len();
    snap.prefixed(&prefix).map(move |(k, _)| &k[at..])
}

/// The projects' opening records by `project/` key, read once per shard: a shard's receipts
/// draw on the same few projects over and over.
type Opens = std::collections::HashMap<String, Option<ProjectOpen>>;

/// What a donor asks of each disbursement a trace lists, by its seq: the entry's purpose and
/// payee (the body holds them; the trace only the money), and the paying project's titles and
/// page path (within a language). Grants carry money across organisations, so the project is
/// looked up under the fund's own organisation.
fn spends(snap: &Snapshot, trace: Option<&TraceRow>, opens: &mut Opens) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(trace) = trace else {
        return out;
    };
    let money = trace
        .spent
        .iter()
        .map(|x| (x.seq, x.fund.project.as_ref().map(|p| (&x.fund.org, p))));
    // Goods given out (issue 14) are asked the same: what for, and to whom. A goods trace
    // names no fund, so no project.
    let goods = trace
        .goods
        .iter()
        .flat_map(|g| &g.distributed)
        .map(|x| (x.seq, None));
    for (seq, project) in money.chain(goods) {
        // The body is the log's own wire JSON, of whichever kind paid: read by field name.
        let body = snap.entry(seq).and_then(|e| e.body.as_ref());
        let text = |f: &str| body.and_then(|b| b[f].as_str()).map(str::to_owned);
        let open = project.and_then(|(o, p)| {
            let key = keys::PROJECT.key(&[o, p]);
            opens
                .entry(key)
                .or_insert_with_key(|key| snap.typed::<ProjectRow>(key).map(|r| r.record.open))
                .clone()
        });
        // Absent rather than null: a shard repeats these for every gift a payment drew on.
        let detail: Map<String, Value> = [
            ("purpose", text("purpose")),
            (
                "payee",
                text("payee_display").or_else(|| text("recipient_display")),
            ),
            ("title", open.as_ref().map(|o| o.title.to_string())),
            (
                "title_en",
                open.as_ref()
                    .and_then(|o| o.title_en.as_ref())
                    .map(|t| t.to_string()),
            ),
            (
                "page",
                project
                    .filter(|_| open.is_some())
                    .map(|(o, p)| super::pages::project_path(o.as_str(), p.as_str())),
            ),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_owned(), Value::String(v?))))
        .collect();
        out.insert(seq.to_string(), Value::Object(detail));
    }
    out
}

/// What a receipt page shows of donation `no`, as a shard member `"no":{"row","trace",
/// "leaf_hash","spends","correction"}` appended to `out`. The trace is copied in as the text
/// the snapshot holds.
fn receipt(
    snap: &Snapshot,
    org: &str,
    no: &str,
    opens: &mut Opens,
    out: &mut Vec<u8>,
) -> Option<()> {
    let key = keys::DONATION.key(&[&org, &no]);
    let row = snap.view(&key)?;
    let trace = snap.raw_view(&keys::TRACE.key(&[&org, &no]));
    let typed = trace.and_then(|t| serde_json::from_str::<TraceRow>(t).ok());
    // The trace names the donation's entry; only a donation without one reads its row typed.
    let seq = match &typed {
        Some(t) => Some(t.seq),
        None => snap.typed::<DonationRow>(&key).map(|d| d.record.seq),
    };
    let leaf_hash = seq
        .and_then(|seq| snap.entry(seq))
        .map(|e| e.leaf_hash.to_hex());
    let correction = seq.and_then(|seq| super::corrected::row(snap, seq));
    let trace = trace.unwrap_or("null");
    // `out` holds the shard's opening brace, then members.
    if out.len() > 1 {
        out.push(b',');
    }
    // Serializing strings and Values into a Vec cannot fail.
    serde_json::to_writer(&mut *out, no).ok()?;
    out.extend_from_slice(b":{\"row\":");
    serde_json::to_writer(&mut *out, row).ok()?;
    out.extend_from_slice(b",\"trace\":");
    out.extend_from_slice(trace.as_bytes());
    out.extend_from_slice(b",\"leaf_hash\":");
    serde_json::to_writer(&mut *out, &leaf_hash).ok()?;
    out.extend_from_slice(b",\"spends\":");
    serde_json::to_writer(&mut *out, &spends(snap, typed.as_ref(), opens)).ok()?;
    out.extend_from_slice(b",\"correction\":");
    match correction {
        Some(row) => out.extend_from_slice(&super::corrected::row_json(&row)?),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    Some(())
}

/// A shard of the receipts `nos`: a JSON object by receipt number.
fn shard<'a>(snap: &Snapshot, org: &str, nos: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut out = vec![b'{'];
    let mut opens = Opens::new();
    for no in nos {
        receipt(snap, org, no, &mut opens, &mut out);
    }
    out.push(b'}');
    out
}

fn index(snap: &Snapshot, org: &str, bits: u32) -> Vec<u8> {
    // The project titles by id, so the entry viewer names the project an entry concerns.
    let projects: Map<String, Value> = snap
        .typed_values::<ProjectRow>(&keys::PROJECT.under(&[&org]))
        .map(|p| {
            let open = p.record.open;
            (open.id.to_string(), json!([open.title, open.title_en]))
        })
        .collect();
    let name_en = snap.org(org).and_then(|o| o.register.name_en);
    let body = json!({
        "name": snap.org_name(org),
        "name_en": name_en,
        "receipt_bits": bits,
        "projects": projects,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Every data file of organisation `org`, as (path from the site root, bytes): its index and
/// all its shards (empty ones too, so a lookup of an unknown receipt finds an answer).
pub fn org_files(snap: &Snapshot, org: &str) -> Vec<(String, Vec<u8>)> {
    org_files_part(snap, org, 0, 1)
}

/// Part `part` of `parts` of [`org_files`]: the shards whose number is `part` modulo `parts`
/// (and the index with part 0), so workers can share one organisation's shards.
pub fn org_files_part(
    snap: &Snapshot,
    org: &str,
    part: usize,
    parts: usize,
) -> Vec<(String, Vec<u8>)> {
    let nos: Vec<&str> = receipts(snap, org).collect();
    let bits = bits_for(nos.len());
    let mut buckets: Vec<Vec<&str>> = vec![Vec::new(); 1 << bits];
    for no in nos {
        if let Some(b) = buckets.get_mut(bucket(no, bits) as usize) {
            b.push(no);
        }
    }
    let dir = org_dir(org);
    let mut out = Vec::new();
    if part == 0 {
        out.push((format!("{dir}index.json"), index(snap, org, bits)));
    }
    for (b, nos) in buckets.into_iter().enumerate() {
        if b % parts.max(1) != part {
            continue;
        }
        out.push((
            format!("{dir}receipts-{b}.json"),
            shard(snap, org, nos.into_iter()),
        ));
    }
    out
}

/// The data file at `path` below `data/org/` (`{uscc}/index.json`, `{uscc}/receipts-{b}.json`),
/// made for the live server without making the organisation's other shards.
pub fn file(snap: &Snapshot, path: &str) -> Option<Vec<u8>> {
    let (org, name) = path.split_once('/')?;
    snap.view(&keys::ORG.key(&[&org]))?;
    let bits = bits_for(receipts(snap, org).count());
    if name == "index.json" {
        return Some(index(snap, org, bits));
    }
    let want: u32 = name
        .strip_prefix("receipts-")?
        .strip_suffix(".json")?
        .parse()
        .ok()?;
    if want >= 1 << bits {
        return None;
    }
    Some(shard(
        snap,
        org,
        receipts(snap, org).filter(|no| bucket(no, bits) == want),
    ))
}

/// Organisations with data files: every registered one.
pub fn orgs(snap: &Snapshot) -> Vec<String> {
    snap.orgs().map(|o| o.register.org.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::{RECEIPTS_PER_SHARD, bits_for, bucket};

    #[test]
    fn shards_split_in_two_as_an_organisation_grows() {
        assert_eq!(bits_for(0), 0);
        assert_eq!(bits_for(RECEIPTS_PER_SHARD), 0);
        assert_eq!(bits_for(RECEIPTS_PER_SHARD + 1), 1);
        assert_eq!(bits_for(RECEIPTS_PER_SHARD * 4 + 1), 3);
        assert_eq!(bits_for(usize::MAX), 16);
        for no in ["JZ2024-000002", "R-1", "x"] {
            for bits in 1..16 {
                assert_eq!(bucket(no, bits + 1) >> 1, bucket(no, bits), "{no} {bits}");
            }
        }
    }

    #[test]
    fn the_bucket_is_the_top_bits_of_the_receipt_numbers_hash() {
        // SHA-256("abc") starts ba 78 16 bf: the browser computes the same from the same bytes.
        assert_eq!(bucket("abc", 8), 0xba);
        assert_eq!(bucket("abc", 12), 0xba7);
        assert_eq!(bucket("abc", 0), 0);
    }
}
