//! Shared set-up for integration tests: a real ledger written through the same append pipeline
//! the CLI and server use — a SQLite file in a temporary directory, or, inside
//! [`on_postgres`], a fresh database on the test PostgreSQL server ([`pg`]).
//! [`on_both_backends!`] runs a list of tests once on each.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::ledger::{
    Author, Kind, SecretKey, SignedSubmission, Timestamp, Uscc, submission,
};
use sunshine_ledger::store::{Store, database_url};

pub mod app;
pub mod browser;
pub mod offline;
pub mod pg;
pub mod serve;

/// Which database a [`TestLedger`] is made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    static BACKEND: Backend;
}

/// The backend of the running test: SQLite unless inside [`on_postgres`].
pub fn backend() -> Backend {
    BACKEND.try_with(|b| *b).unwrap_or(Backend::Sqlite)
}

/// Runs a test body with every [`TestLedger`] it makes on PostgreSQL.
pub async fn on_postgres<F: std::future::Future>(body: F) -> F::Output {
    BACKEND.scope(Backend::Postgres, body).await
}

/// Runs each named `async fn()` test twice: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name().await
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                $crate::common::on_postgres(super::$name()).await
            })*
        }
    };
}

/// Where a new ledger goes on the running test's backend: `ledger.db` in `dir`, or a fresh
/// database on the test PostgreSQL server.
pub async fn fresh_url(dir: &Path) -> String {
    match backend() {
        Backend::Sqlite => database_url(dir.join("ledger.db").to_str().unwrap()),
        Backend::Postgres => pg::fresh_database().await,
    }
}

pub const ORIGIN: &str = "test.local/sunshine";

/// A ledger under test with its keys.
pub struct TestLedger {
    pub dir: tempfile::TempDir,
    /// The database URL (`sqlite:` or `postgres://`).
    pub url: String,
    pub service: LedgerService,
    pub operator: SecretKey,
    pub regulator: SecretKey,
    pub regulator_id: Uscc,
    pub org: SecretKey,
    pub org_id: Uscc,
}

pub fn regulator_id() -> Uscc {
    Uscc::with_check("11440000MB0000001").unwrap()
}

pub fn org_id() -> Uscc {
    Uscc::with_check("53440000MJ0000001").unwrap()
}

pub fn sub(kind: Kind, author: Author, key: &SecretKey, body: Value) -> SignedSubmission {
    submission::draft(kind, author, key, body.as_object().cloned().unwrap()).sign(key)
}

/// A submission signed at `time` (for histories laid out with `append_at`).
pub fn sub_at(
    kind: Kind,
    author: Author,
    key: &SecretKey,
    body: Value,
    time: Timestamp,
) -> SignedSubmission {
    let mut s = submission::draft(kind, author, key, body.as_object().cloned().unwrap());
    s.time = time;
    s.sign(key)
}

impl TestLedger {
    /// Genesis, one regulator, one registered organisation: 2 entries, recorded now.
    pub async fn new() -> TestLedger {
        Self::new_at(Timestamp::now()).await
    }

    /// The same, recorded at `start` (later entries must not be recorded earlier).
    pub async fn new_at(start: Timestamp) -> TestLedger {
        let dir = tempfile::tempdir().unwrap();
        let url = fresh_url(dir.path()).await;
        let store = Store::open(&url, true).await.unwrap();
        let operator = SecretKey::from_seed([1; 32]);
        let regulator = SecretKey::from_seed([2; 32]);
        let org = SecretKey::from_seed([3; 32]);
        let service = LedgerService::open(store, SecretKey::from_seed([1; 32]))
            .await
            .unwrap();
        let genesis = sub_at(
            Kind::Genesis,
            Author::Operator,
            &operator,
            json!({"origin": ORIGIN, "operator_key": operator.public(),
                   "regulators": [{"id": regulator_id(), "name": "广东省民政厅", "key": regulator.public()}]}),
            start,
        );
        service.append_at(vec![genesis], start).await.unwrap();
        let t = TestLedger {
            dir,
            url,
            service,
            operator,
            regulator,
            regulator_id: regulator_id(),
            org,
            org_id: org_id(),
        };
        let register = sub_at(
            Kind::OrgRegister,
            Author::Regulator(t.regulator_id.clone()),
            &t.regulator,
            org_register_body(&t.org_id, &t.org),
            start,
        );
        t.service.append_at(vec![register], start).await.unwrap();
        t
    }

    /// The SQLite file (for SQLite-only tests that open it directly).
    pub fn db_path(&self) -> PathBuf {
        assert!(self.url.starts_with("sqlite:"), "not a SQLite ledger");
        self.dir.path().join("ledger.db")
    }

    pub fn keys_dir(&self) -> PathBuf {
        let keys = self.dir.path().join("keys");
        if !keys.exists() {
            std::fs::create_dir_all(&keys).unwrap();
            std::fs::write(
                keys.join("operator.key"),
                format!("{}\n", self.operator.to_hex()),
            )
            .unwrap();
            std::fs::write(
                keys.join("regulator.key"),
                format!("{}\n", self.regulator.to_hex()),
            )
            .unwrap();
            std::fs::write(keys.join("org.key"), format!("{}\n", self.org.to_hex())).unwrap();
        }
        keys
    }

    pub fn register_org(&self) -> SignedSubmission {
        sub(
            Kind::OrgRegister,
            Author::Regulator(self.regulator_id.clone()),
            &self.regulator,
            org_register_body(&self.org_id, &self.org),
        )
    }

    /// A cash donation to the organisation, signed on `on` (YYYY-MM-DD).
    pub fn donation(&self, receipt: &str, amount: &str, on: &str) -> SignedSubmission {
        sub_at(
            Kind::Donation,
            Author::Org(self.org_id.clone()),
            &self.org,
            json!({"receipt_no": receipt, "received_on": on, "form": "cash", "amount": amount,
                   "currency": "CNY", "donor_type": "individual", "donor_display": "张*",
                   "receipt": "issued", "commitment": "ab".repeat(32)}),
            format!("{on}T01:00:00Z").parse().unwrap(),
        )
    }

    /// A valid filler entry: the regulator adds a fresh key to the organisation.
    pub fn filler(&self, i: u64) -> SignedSubmission {
        let mut seed = [9u8; 32];
        seed[..8].copy_from_slice(&i.to_be_bytes());
        let fresh = SecretKey::from_seed(seed);
        sub(
            Kind::OrgKeys,
            Author::Regulator(self.regulator_id.clone()),
            &self.regulator,
            json!({"org": self.org_id, "add": [fresh.public()]}),
        )
    }

    /// Appends `n` filler entries in batches of `batch`.
    pub async fn fill(&self, n: u64, batch: u64) {
        let mut i = 0;
        while i < n {
            let subs: Vec<_> = (i..(i + batch).min(n)).map(|j| self.filler(j)).collect();
            i += subs.len() as u64;
            self.service.append(subs).await.unwrap();
        }
    }

    pub fn store(&self) -> &Store {
        self.service.store()
    }
}

/// The `org.register` body the test organisation uses (a public-fundraising foundation).
pub fn org_register_body(id: &Uscc, key: &SecretKey) -> Value {
    json!({"org": id, "name": "测试慈善基金会", "org_type": "foundation", "region": "440000",
           "public_fundraising": true, "registered_on": "2020-01-01", "keys": [key.public()]})
}

/// Every row of every table, as text: two dumps are equal iff the ledger is byte-for-byte equal.
/// `url` is either backend's.
pub async fn dump(url: &str) -> String {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let mut out = String::new();
    for table in ["entries", "tree_nodes", "checkpoints", "views"] {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for r in rows {
            for i in 0..r.len() {
                if let Ok(b) = r.try_get::<Vec<u8>, _>(i) {
                    out.push_str(&hex::encode(b));
                } else if let Ok(n) = r.try_get::<i64, _>(i) {
                    out.push_str(&n.to_string());
                } else {
                    out.push_str(&r.try_get::<String, _>(i).unwrap());
                }
                out.push('|');
            }
            out.push('\n');
        }
    }
    conn.close().await.unwrap();
    out
}

/// Runs SQL directly on the ledger at `url` with the append-only triggers out of the way, as an
/// attacker with the database's superuser would: dropped on SQLite (the sqlite3 shell can), and
/// `ALTER TABLE ... DISABLE TRIGGER` on PostgreSQL. `sql` may hold several statements.
pub async fn tamper(url: &str, sql: &str) {
    let mut conn = tamper_connection(url).await;
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
}

/// As [`tamper`], for one statement whose `$1`, `$2`, ... are `bytes` (the same SQL on both
/// databases, with no byte literals to spell per dialect).
pub async fn tamper_bytes(url: &str, sql: &str, bytes: &[&[u8]]) {
    let mut conn = tamper_connection(url).await;
    let mut q = sqlx::query(sql);
    for b in bytes {
        q = q.bind(*b);
    }
    let done = q.execute(&mut conn).await.unwrap();
    assert!(done.rows_affected() > 0, "{sql} changed nothing");
}

async fn tamper_connection(url: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    for t in ["entries", "tree_nodes", "checkpoints"] {
        let off = if url.starts_with("sqlite:") {
            format!(
                "DROP TRIGGER IF EXISTS {t}_append_only_update; DROP TRIGGER IF EXISTS {t}_append_only_delete"
            )
        } else {
            format!("ALTER TABLE {t} DISABLE TRIGGER USER")
        };
        sqlx::raw_sql(&off).execute(&mut conn).await.unwrap();
    }
    conn
}

/// The stdout of a finished `sunshine` command, which must have succeeded (its output says
/// why not).
pub fn succeeded(what: &str, out: std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sunshine")
}

/// Runs the binary on the ledger `ledger.db` and the keys `keys/` in `dir`, as a user would,
/// and expects it to succeed.
/// A demo ledger (seed 1, `scale`) with its static site built by the binary, judging
/// obligations on `as_of`: (temp dir, site dir).
#[allow(dead_code)]
pub fn demo_site(scale: u64, as_of: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    run_in(
        dir.path(),
        &["demo", "--seed", "1", "--scale", &scale.to_string()],
    );
    let site = dir.path().join("site");
    let out = site.to_str().unwrap();
    run_in(
        dir.path(),
        &["site", "build", "--out", out, "--as-of", as_of],
    );
    (dir, site)
}

pub fn run_in(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new(bin())
        .args(["--db", dir.join("ledger.db").to_str().unwrap()])
        .args(["--keys", dir.join("keys").to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
