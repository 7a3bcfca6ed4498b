//! `sunshine migrate` between SQLite and PostgreSQL, and `DATABASE_READ_URL`: a ledger copied
//! there and back is byte for byte the original, a non-empty destination is refused, and a
//! server sends reads to the read database and appends to the primary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};

use common::serve::Server;
use common::{TestLedger, bin, dump, pg};
use serde_json::Value;
use sunshine_ledger::store::{Store, database_url};

fn migrate(from: &str, to: &str) -> Output {
    Command::new(bin())
        .args(["migrate", "--from", from, "--to", to])
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_ledger_copied_to_postgres_and_back_is_byte_for_byte_the_original() {
    let t = TestLedger::new().await;
    t.fill(300, 70).await;
    t.service.refresh_views().await.unwrap();
    let pg_url = pg::fresh_database().await;

    let out = migrate(&t.url, &pg_url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("OK: copied 302 entries"), "{stdout}");
    let (src, copy) = (
        Store::open(&t.url, false).await.unwrap(),
        Store::open(&pg_url, false).await.unwrap(),
    );
    assert_eq!(
        src.latest_checkpoint().await.unwrap(),
        copy.latest_checkpoint().await.unwrap()
    );

    // A second copy into the same database is refused and changes nothing.
    let again = migrate(&t.url, &pg_url);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds data"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(copy.size().await.unwrap(), 302);
    // Every row of every table of the copy is the original's, byte for byte.
    assert_eq!(dump(&pg_url).await, dump(&t.url).await);

    // And back into a new SQLite file: every row of every table is the original's.
    let back = t.dir.path().join("back.db");
    let out = migrate(&pg_url, back.to_str().unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        dump(&database_url(back.to_str().unwrap())).await,
        dump(&t.url).await
    );
}

#[tokio::test]
async fn reads_go_to_the_read_database_and_appends_to_the_primary() {
    let t = common::on_postgres(TestLedger::new()).await;
    let keys = t.keys_dir();
    // A "replica" frozen at size 2: a copy nobody writes to, so what is read from where shows.
    let replica = pg::fresh_database().await;
    assert!(migrate(&t.url, &replica).status.success());

    let server = Server::start_with(&t.url, &keys, &[("DATABASE_READ_URL", &replica)]);
    let base = &server.base;
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/v1/submissions"))
        .json(&t.filler(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let receipt: Value = r.json().await.unwrap();
    // The receipt comes from the primary, which has the entry.
    assert_eq!(receipt["seq"], 2);
    assert_eq!(t.store().size().await.unwrap(), 3);
    // Reads come from the replica, which does not (yet).
    let cp: Value = client
        .get(format!("{base}/api/v1/checkpoint"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cp["size"], 2);
    let missing = client
        .get(format!("{base}/api/v1/entries/2"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
