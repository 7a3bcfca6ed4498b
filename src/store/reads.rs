//! Reads: entries, tree nodes, checkpoints and cached views.
//!
//! None of these takes the append lock, and all go to the read pool, so they scale out with
//! replicas and never wait for a writer (both databases give readers a consistent snapshot
//! beside a running append).

use std::collections::HashMap;

use futures_util::{Stream, StreamExt, TryStreamExt};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, Store, StoreError, StoredEntry, arg, hash_of, to_i64, to_u64};
use crate::ledger::columns::LookupColumns;
use crate::ledger::{Hash, Uscc};
use crate::money::records::{
    FAMILIES, RECORD_DERIVATION, compose_trace, hops_prefix, is_record_key,
};
use crate::money::views::keys;
use crate::money::{Ident, Trace};
use crate::replay::audit;

/// Most node ids in one `IN (...)` list (well below either database's parameter limit).
const IDS_PER_QUERY: usize = 500;

/// The log size the stored records reflect, if they are of this build's derivation
/// ([`RECORD_DERIVATION`], bound as `$1`): rows of another are as good as missing.
pub(super) const RECORD_SIZE_SQL: &str =
    "SELECT size FROM record_size WHERE id = 1 AND derivation = $1";

/// The log size, read through the primary key index.
pub(super) const SIZE_SQL: &str = "SELECT COALESCE(MAX(seq) + 1, 0) FROM entries";

/// Every bucket of the lookup indexes (`seq >> 12`, migration 0002), from the first to the last
/// stored entry's. A lookup names them all with `(seq >> 12) IN (SELECT b FROM buckets)`, which
/// both databases answer with one index search per bucket: the indexes lead with the bucket so
/// that appends stay cheap, and a lookup pays for it with a search per 4,096 entries.
const BUCKETS: &str = "WITH RECURSIVE buckets (b) AS (SELECT CAST(0 AS BIGINT) \
    UNION ALL SELECT b + 1 FROM buckets WHERE b < (SELECT MAX(seq) FROM entries) >> 12) ";

impl Store {
    /// Number of entries in the log (seqs are contiguous from 0, which the audit checks; the
    /// primary key answers this without counting rows).
    pub async fn size(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(SIZE_SQL).fetch_one(&self.read).await?;
        to_u64(n)
    }

    /// Number of stored interior tree nodes.
    pub async fn node_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tree_nodes")
            .fetch_one(&self.read)
            .await?;
        to_u64(n)
    }

    /// The log size the cached views were computed at, if they ever were.
    pub async fn view_size(&self) -> Result<Option<u64>, StoreError> {
        let n: Option<i64> = sqlx::query_scalar("SELECT size FROM view_size WHERE id = 1")
            .fetch_optional(&self.read)
            .await?;
        n.map(to_u64).transpose()
    }

    /// The leaf bytes of entry `seq`.
    pub async fn entry(&self, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let Some(seq) = arg(seq) else {
            return Ok(None);
        };
        let row = sqlx::query("SELECT seq, leaf_hash, leaf FROM entries WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| stored_entry(&r)).transpose()
    }

    /// The seq of the entry with this leaf hash.
    pub async fn seq_by_hash(&self, hash: &Hash) -> Result<Option<u64>, StoreError> {
        let sql = format!(
            "{BUCKETS}SELECT seq FROM entries \
             WHERE (seq >> 12) IN (SELECT b FROM buckets) AND leaf_hash = $1"
        );
        let seq: Option<i64> = sqlx::query_scalar(&sql)
            .bind(hash.as_bytes().as_slice())
            .fetch_optional(&self.read)
            .await?;
        seq.map(to_u64).transpose()
    }

    /// The seq and leaf bytes of the entry `author` submitted with `nonce`, if any.
    pub async fn entry_by_nonce(
        &self,
        author: &str,
        nonce: &str,
    ) -> Result<Option<StoredEntry>, StoreError> {
        let sql = format!(
            "{BUCKETS}SELECT seq, leaf_hash, leaf FROM entries \
             WHERE (seq >> 12) IN (SELECT b FROM buckets) AND author = $1 AND nonce = $2"
        );
        let row = sqlx::query(&sql)
            .bind(author)
            .bind(nonce)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| stored_entry(&r)).transpose()
    }

    /// Entries from `from` on, in seq order, streamed (memory does not grow with the log).
    pub fn entries_from(
        &self,
        from: u64,
    ) -> impl Stream<Item = Result<StoredEntry, StoreError>> + '_ {
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        sqlx::query("SELECT seq, leaf_hash, leaf FROM entries WHERE seq >= $1 ORDER BY seq")
            .bind(from)
            .fetch(&self.read)
            .map(|r| r.map_err(StoreError::from).and_then(|r| stored_entry(&r)))
    }

    /// Every stored leaf hash in seq order, streamed: the bottom level of the tree as stored.
    pub fn leaf_hashes(&self) -> impl Stream<Item = Result<Vec<u8>, StoreError>> + '_ {
        sqlx::query("SELECT leaf_hash FROM entries ORDER BY seq")
            .fetch(&self.read)
            .map(|r| Ok(r?.try_get("leaf_hash")?))
    }

    /// Every stored entry in seq order with the columns kept beside its leaf, as the audit
    /// checks them, streamed.
    pub fn audit_rows(&self) -> impl Stream<Item = Result<audit::Row, StoreError>> + '_ {
        sqlx::query("SELECT seq, leaf_hash, author, nonce, kind, leaf FROM entries ORDER BY seq")
            .fetch(&self.read)
            .map(|r| {
                let r = r?;
                let e = stored_entry(&r)?;
                Ok(audit::Row {
                    seq: e.seq,
                    leaf: e.leaf,
                    leaf_hash: e.leaf_hash,
                    columns: Some(LookupColumns {
                        author: r.try_get("author")?,
                        nonce: r.try_get("nonce")?,
                        kind: r.try_get("kind")?,
                    }),
                })
            })
    }

    /// Up to `limit` entries starting at `from`.
    pub async fn entries_range(
        &self,
        from: u64,
        limit: u64,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let Some(from) = arg(from) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT seq, leaf_hash, leaf FROM entries WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(from)
        .bind(arg(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(stored_entry).collect()
    }

    /// Stored hashes at tree `level` (>= 1), streamed in index order: (index, hash bytes).
    pub fn level_nodes(
        &self,
        level: u8,
    ) -> impl Stream<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        sqlx::query("SELECT idx, hash FROM tree_nodes WHERE level = $1 ORDER BY idx")
            .bind(i64::from(level))
            .fetch(&self.read)
            .map(|r| {
                let r = r?;
                Ok((to_u64(r.try_get("idx")?)?, r.try_get("hash")?))
            })
    }

    /// The hashes of the given complete subtrees; level 0 reads leaf hashes from the entries.
    /// Missing nodes are an error: the caller only asks for nodes a tree of its size has.
    /// One query per level (and per [`IDS_PER_QUERY`]), not per node: against PostgreSQL every
    /// query is a network round trip, and a group's receipts ask for hundreds of nodes.
    pub async fn nodes(&self, ids: &[(u8, u64)]) -> Result<HashMap<(u8, u64), Hash>, StoreError> {
        let mut by_level: std::collections::BTreeMap<u8, Vec<u64>> = Default::default();
        for &(level, idx) in ids {
            by_level.entry(level).or_default().push(idx);
        }
        let mut out = HashMap::with_capacity(ids.len());
        let mut conn = self.read.acquire().await?;
        for (level, mut idxs) in by_level {
            idxs.sort_unstable();
            idxs.dedup();
            for chunk in idxs.chunks(IDS_PER_QUERY) {
                // Level 0 has no level parameter, so its indices start at $1.
                let first = if level == 0 { 1 } else { 2 };
                let list: Vec<String> = (0..chunk.len())
                    .map(|i| format!("${}", i + first))
                    .collect();
                let sql = if level == 0 {
                    format!(
                        "SELECT seq AS idx, leaf_hash AS hash FROM entries WHERE seq IN ({})",
                        list.join(", ")
                    )
                } else {
                    format!(
                        "SELECT idx, hash FROM tree_nodes WHERE level = $1 AND idx IN ({})",
                        list.join(", ")
                    )
                };
                let mut q = sqlx::query(&sql);
                if level > 0 {
                    q = q.bind(i64::from(level));
                }
                for &idx in chunk {
                    q = q.bind(to_i64(idx)?);
                }
                for row in q.fetch_all(&mut *conn).await? {
                    let idx = to_u64(row.try_get("idx")?)?;
                    let bytes: Vec<u8> = row.try_get("hash")?;
                    out.insert((level, idx), hash_of(&bytes, "tree node")?);
                }
            }
        }
        if let Some((level, idx)) = ids.iter().find(|id| !out.contains_key(id)) {
            return Err(StoreError::Corrupt(format!(
                "tree node level {level} index {idx} is missing"
            )));
        }
        Ok(out)
    }

    /// The hashes at `level` with indices in `start..end` (for hash tiles), in index order.
    pub async fn node_range(
        &self,
        level: u8,
        start: u64,
        end: u64,
    ) -> Result<Vec<Hash>, StoreError> {
        let rows: Vec<Vec<u8>> = if level == 0 {
            sqlx::query_scalar(
                "SELECT leaf_hash FROM entries WHERE seq >= $1 AND seq < $2 ORDER BY seq",
            )
            .bind(to_i64(start)?)
            .bind(to_i64(end)?)
            .fetch_all(&self.read)
            .await?
        } else {
            sqlx::query_scalar(
                "SELECT hash FROM tree_nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
            )
            .bind(i64::from(level))
            .bind(to_i64(start)?)
            .bind(to_i64(end)?)
            .fetch_all(&self.read)
            .await?
        };
        rows.iter().map(|b| hash_of(b, "tree node")).collect()
    }

    /// The newest checkpoint note and its size.
    pub async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        let row = sqlx::query("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok((to_u64(r.try_get("size")?)?, r.try_get("note")?)))
            .transpose()
    }

    /// The smallest stored checkpoint covering at least `size` entries.
    pub async fn checkpoint_covering(
        &self,
        size: u64,
    ) -> Result<Option<(u64, String)>, StoreError> {
        let Some(size) = arg(size) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT size, note FROM checkpoints WHERE size >= $1 ORDER BY size LIMIT 1",
        )
        .bind(size)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| Ok((to_u64(r.try_get("size")?)?, r.try_get("note")?)))
            .transpose()
    }

    /// The checkpoint stored for exactly `size` entries.
    pub async fn checkpoint_at(&self, size: u64) -> Result<Option<String>, StoreError> {
        let Some(size) = arg(size) else {
            return Ok(None);
        };
        Ok(
            sqlx::query_scalar("SELECT note FROM checkpoints WHERE size = $1")
                .bind(size)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// All checkpoints in size order, streamed: (size column, note).
    pub fn checkpoints(&self) -> impl Stream<Item = Result<(u64, String), StoreError>> + '_ {
        sqlx::query("SELECT size, note FROM checkpoints ORDER BY size")
            .fetch(&self.read)
            .map(|r| {
                let r = r?;
                Ok((to_u64(r.try_get("size")?)?, r.try_get("note")?))
            })
    }

    /// The cached view rows in key order (byte order, whatever the database's collation) and
    /// the log size they were computed at, read in one snapshot (see [`Store::views_reader`]).
    pub async fn views_snapshot(&self) -> Result<(Option<u64>, Vec<(String, String)>), StoreError> {
        let mut reader = self.views_reader().await?;
        let mut rows: Vec<(String, String)> = reader.rows().try_collect().await?;
        let records: Vec<(String, String)> = reader.records().try_collect().await?;
        rows.extend(records);
        rows.sort_unstable();
        Ok((reader.size, rows))
    }

    /// The cached views as of one moment, read row by row: another process may replace the
    /// views at any moment, and an audit must never compare one refresh's rows with another's
    /// size, nor hold every row in memory.
    pub async fn views_reader(&self) -> Result<ViewsReader, StoreError> {
        let begin = match self.backend {
            // A read transaction in WAL mode sees one snapshot from its first read on.
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let mut tx = self.read.begin_with(begin).await?;
        let size: Option<i64> = sqlx::query_scalar("SELECT size FROM view_size WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?;
        let record_size: Option<(i64, i64)> =
            sqlx::query_as("SELECT size, derivation FROM record_size WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        Ok(ViewsReader {
            size: size.map(to_u64).transpose()?,
            record_size: record_size.map(|(s, _)| to_u64(s)).transpose()?,
            record_derivation: record_size.map(|(_, d)| d),
            backend: self.backend,
            tx,
        })
    }

    /// One view row: a record ([`crate::money::records`]) or a cached summary.
    pub async fn view(&self, key: &str) -> Result<Option<String>, StoreError> {
        let sql = if is_record_key(key) {
            "SELECT value FROM records WHERE key = $1"
        } else {
            "SELECT value FROM views WHERE key = $1"
        };
        Ok(sqlx::query_scalar(sql)
            .bind(key)
            .fetch_optional(&self.read)
            .await?)
    }

    /// View rows (records and cached summaries) whose key starts with `prefix`, in key order.
    pub async fn views_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let upper = format!("{prefix}\u{10FFFF}");
        let mut out = Vec::new();
        for table in tables_under(prefix) {
            let sql =
                format!("SELECT key, value FROM {table} WHERE key >= $1 AND key < $2 ORDER BY key");
            let rows = sqlx::query(&sql)
                .bind(prefix)
                .bind(&upper)
                .fetch_all(&self.read)
                .await?;
            for r in &rows {
                out.push((r.try_get("key")?, r.try_get("value")?));
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// The seq of the last correction below `size`, read from the `kind` column (which the
    /// audit checks against each leaf).
    pub async fn last_correction_below(&self, size: u64) -> Result<Option<u64>, StoreError> {
        let seq: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(seq) FROM entries WHERE kind = 'correction' AND seq < $1",
        )
        .bind(to_i64(size)?)
        .fetch_one(&self.read)
        .await?;
        seq.map(to_u64).transpose()
    }

    /// Where the stored records stand: the log size they are the records of (`None` before
    /// the first append, or in a database whose records are yet to be written, or were written
    /// by a build of another [`RECORD_DERIVATION`]).
    pub async fn record_size(&self) -> Result<Option<u64>, StoreError> {
        let size: Option<i64> = sqlx::query_scalar(RECORD_SIZE_SQL)
            .bind(RECORD_DERIVATION)
            .fetch_optional(&self.write)
            .await?;
        size.map(to_u64).transpose()
    }

    /// The trace of one donation, composed from its stored record and hop rows; `None` if
    /// there is no such donation or it was voided.
    pub async fn trace(&self, org: &Uscc, receipt_no: &Ident) -> Result<Option<Trace>, StoreError> {
        let key = keys::DONATION.key(&[org, receipt_no]);
        let Some(donation) = self.view(&key).await? else {
            return Ok(None);
        };
        let hops = self
            .views_with_prefix(&hops_prefix(org, receipt_no))
            .await?;
        compose_trace((&key, &donation), &hops).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Collects a fallible stream; a small helper for tests and short listings.
    pub async fn collect<T>(
        s: impl Stream<Item = Result<T, StoreError>>,
    ) -> Result<Vec<T>, StoreError> {
        s.try_collect().await
    }
}

fn stored_entry(r: &AnyRow) -> Result<StoredEntry, StoreError> {
    Ok(StoredEntry {
        seq: to_u64(r.try_get("seq")?)?,
        leaf_hash: r.try_get("leaf_hash")?,
        leaf: r.try_get("leaf")?,
    })
}

/// One snapshot of the cached views (see [`Store::views_reader`]).
pub struct ViewsReader {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: super::Backend,
    /// The log size the views were computed at; `None` if none were ever cached.
    pub size: Option<u64>,
    /// The log size the records are those of ([`Store::record_size`]).
    pub record_size: Option<u64>,
    /// Which derivation of the records they are ([`RECORD_DERIVATION`] for this build's).
    pub record_derivation: Option<i64>,
}

/// Keys looked up in one statement (far below either database's limit on bound values).
const RECORDS_PER_LOOKUP: usize = 500;

/// The tables that may hold rows under `prefix`: records, summaries, or (for a prefix shorter
/// than a family's) both.
fn tables_under(prefix: &str) -> Vec<&'static str> {
    let records = FAMILIES
        .iter()
        .any(|f| f.prefix().starts_with(prefix) || prefix.starts_with(f.prefix()));
    let summaries = !is_record_key(prefix);
    let mut out = Vec::new();
    if records {
        out.push("records");
    }
    if summaries {
        out.push("views");
    }
    out
}

impl ViewsReader {
    /// Every cached summary row, in no particular order.
    pub fn rows(&mut self) -> impl Stream<Item = Result<(String, String), StoreError>> + '_ {
        self.table_rows("views")
    }

    /// Every record row, in no particular order.
    pub fn records(&mut self) -> impl Stream<Item = Result<(String, String), StoreError>> + '_ {
        self.table_rows("records")
    }

    fn table_rows(
        &mut self,
        table: &'static str,
    ) -> impl Stream<Item = Result<(String, String), StoreError>> + '_ {
        sqlx::query(if table == "views" {
            "SELECT key, value FROM views"
        } else {
            "SELECT key, value FROM records"
        })
        .fetch(&mut *self.tx)
        .map(|r| {
            let r = r?;
            Ok((r.try_get("key")?, r.try_get("value")?))
        })
    }

    /// Record rows whose key starts with `prefix`, streamed in key order.
    pub fn records_under(
        &mut self,
        prefix: &str,
    ) -> impl Stream<Item = Result<(String, String), StoreError>> + '_ {
        let upper = format!("{prefix}\u{10FFFF}");
        sqlx::query("SELECT key, value FROM records WHERE key >= $1 AND key < $2 ORDER BY key")
            .bind(prefix.to_owned())
            .bind(upper)
            .fetch(&mut *self.tx)
            .map(|r| {
                let r = r?;
                Ok((r.try_get("key")?, r.try_get("value")?))
            })
    }

    /// The entries `author` signed among those with seq `bucket * 4096 ..` and below `below`,
    /// in seq order: through the `((seq >> 12), author, nonce)` index, so an organisation's
    /// entries are found bucket by bucket without reading the whole log.
    pub async fn entries_signed_in_bucket(
        &mut self,
        author: &str,
        bucket: u64,
        below: u64,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, leaf_hash, leaf FROM entries \
             WHERE (seq >> 12) = $1 AND author = $2 AND seq < $3",
        )
        .bind(to_i64(bucket)?)
        .bind(author)
        .bind(to_i64(below)?)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut out = rows
            .iter()
            .map(stored_entry)
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_unstable_by_key(|e| e.seq);
        Ok(out)
    }

    /// The entries of `kind` below `below`, in seq order, through the `(kind, seq)` index.
    pub async fn entries_of_kind(
        &mut self,
        kind: &str,
        below: u64,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, leaf_hash, leaf FROM entries WHERE kind = $1 AND seq < $2 ORDER BY seq",
        )
        .bind(kind)
        .bind(to_i64(below)?)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(stored_entry).collect()
    }

    /// The newest `limit` entries below `below` whose kind is not among `except`, newest
    /// first: read backwards along the log, which stops as soon as it has them.
    pub async fn newest_entries_except(
        &mut self,
        except: &[&str],
        below: u64,
        limit: u64,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        // Placeholders in the order they appear: the bound, the kinds, the limit.
        let mark = |i: usize| self.backend.placeholder(i);
        let marks: Vec<String> = (2..2 + except.len()).map(mark).collect();
        let sql = format!(
            "SELECT seq, leaf_hash, leaf FROM entries WHERE seq < {} AND kind NOT IN ({}) \
             ORDER BY seq DESC LIMIT {}",
            mark(1),
            marks.join(", "),
            mark(2 + except.len())
        );
        let mut q = sqlx::query(&sql).bind(to_i64(below)?);
        for k in except {
            q = q.bind(*k);
        }
        let q = q.bind(to_i64(limit)?);
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.iter().map(stored_entry).collect()
    }

    /// The stored record rows among `keys`: value, and the seq kept beside it.
    pub async fn records_among(
        &mut self,
        keys: &[String],
    ) -> Result<std::collections::HashMap<String, (String, Option<u64>)>, StoreError> {
        let mut out = std::collections::HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(RECORDS_PER_LOOKUP) {
            let marks: Vec<String> = (1..=chunk.len())
                .map(|i| self.backend.placeholder(i))
                .collect();
            let sql = format!(
                "SELECT key, value, seq FROM records WHERE key IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(k.as_str());
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                let seq: Option<i64> = r.try_get("seq")?;
                out.insert(
                    r.try_get("key")?,
                    (r.try_get("value")?, seq.map(to_u64).transpose()?),
                );
            }
        }
        Ok(out)
    }

    /// How many record rows are stored.
    pub async fn record_count(&mut self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(&mut *self.tx)
            .await?;
        to_u64(n)
    }
}
