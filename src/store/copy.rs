//! Copying a whole ledger from one database to another (`sunshine migrate`), row for row.
//!
//! Every table is streamed from the source in key order and written to the destination in
//! multi-row inserts inside one transaction holding the destination's append lock: the copy
//! lands whole or not at all, and no writer can slip in between. Values are copied as stored,
//! never re-encoded, so the copy's checkpoints, tree and views are byte for byte the source's.

use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::append::APPEND_LOCK;
use super::{Store, StoreError};

/// Rows per multi-row INSERT.
const ROWS_PER_STATEMENT: usize = 200;

#[derive(Clone, Copy)]
enum Col {
    Int,
    /// An integer that may be NULL (a record's seq in a database a build before it wrote to).
    OptInt,
    Blob,
    Text,
}

/// A table's name, its columns with their kinds, and its key order.
type Table = (&'static str, &'static [(&'static str, Col)], &'static str);

/// Every table of the schema.
const TABLES: &[Table] = &[
    (
        "entries",
        &[
            ("seq", Col::Int),
            ("leaf_hash", Col::Blob),
            ("author", Col::Text),
            ("nonce", Col::Text),
            ("kind", Col::Text),
            ("leaf", Col::Blob),
        ],
        "seq",
    ),
    (
        "tree_nodes",
        &[("level", Col::Int), ("idx", Col::Int), ("hash", Col::Blob)],
        "level, idx",
    ),
    (
        "checkpoints",
        &[("size", Col::Int), ("note", Col::Text)],
        "size",
    ),
    ("views", &[("key", Col::Text), ("value", Col::Text)], "key"),
    ("view_size", &[("id", Col::Int), ("size", Col::Int)], "id"),
    (
        "records",
        &[
            ("key", Col::Text),
            ("value", Col::Text),
            ("seq", Col::OptInt),
        ],
        "key",
    ),
    (
        "record_size",
        &[
            ("id", Col::Int),
            ("size", Col::Int),
            ("derivation", Col::Int),
        ],
        "id",
    ),
];

enum Value {
    Int(i64),
    OptInt(Option<i64>),
    Blob(Vec<u8>),
    Text(String),
}

fn values(row: &AnyRow, columns: &[(&str, Col)]) -> Result<Vec<Value>, StoreError> {
    columns
        .iter()
        .map(|&(name, col)| {
            Ok(match col {
                Col::Int => Value::Int(row.try_get(name)?),
                Col::OptInt => Value::OptInt(row.try_get(name)?),
                Col::Blob => Value::Blob(row.try_get(name)?),
                Col::Text => Value::Text(row.try_get(name)?),
            })
        })
        .collect()
}

impl Store {
    /// Copies every row of this ledger into `dst`, which must hold no ledger, in one
    /// transaction. `progress(table, rows)` is told of each chunk written. Returns the rows
    /// copied.
    pub async fn copy_into(
        &self,
        dst: &Store,
        progress: impl Fn(&str, u64),
    ) -> Result<u64, StoreError> {
        let mut tx = dst.begin_locked(APPEND_LOCK).await?;
        for (table, _, _) in TABLES {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await?;
            if n > 0 {
                return Err(StoreError::NotEmpty(format!("{n} rows in {table}")));
            }
        }
        let mut copied = 0u64;
        for &(table, columns, order) in TABLES {
            let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
            let select = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
            let mut rows = sqlx::query(&select).fetch(&self.read);
            let mut chunk: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_STATEMENT);
            loop {
                let row = rows.try_next().await?;
                if let Some(row) = &row {
                    chunk.push(values(row, columns)?);
                }
                if chunk.len() == ROWS_PER_STATEMENT || (row.is_none() && !chunk.is_empty()) {
                    let sql = dst.backend.insert_sql(table, &names, chunk.len());
                    let mut q = sqlx::query(&sql);
                    for v in chunk.iter().flatten() {
                        q = match v {
                            Value::Int(i) => q.bind(*i),
                            Value::OptInt(i) => q.bind(*i),
                            Value::Blob(b) => q.bind(b.as_slice()),
                            Value::Text(t) => q.bind(t.as_str()),
                        };
                    }
                    q.execute(&mut *tx).await?;
                    copied += chunk.len() as u64;
                    progress(table, chunk.len() as u64);
                    chunk.clear();
                }
                if row.is_none() {
                    break;
                }
            }
        }
        tx.commit().await?;
        Ok(copied)
    }
}
