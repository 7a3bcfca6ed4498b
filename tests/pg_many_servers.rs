//! Several `sunshine serve` processes on one PostgreSQL: one linear chain, whatever the
//! concurrency; the same submission (or nonce) raced through two servers is appended once and
//! answered 200 with the original receipt (or 409), never 500; and a writer or a server killed
//! with SIGKILL in the middle of an append leaves the whole batch or nothing while the others
//! carry on. Real processes (the built binary), a real
//! PostgreSQL started by the tests, real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::serve::{Server, audit, donation, post, try_post};
use common::{TestLedger, bin, on_postgres};
use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::Connection;
use sunshine_ledger::ledger::SignedSubmission;
use sunshine_ledger::store::{APPEND_LOCK, Store};

/// Posts JSON Lines of `subs` to the batch route.
/// Posts `subs` one by one until `stop`, each answered 200, counting them in `accepted`.
fn post_each(
    client: reqwest::Client,
    base: String,
    subs: Vec<SignedSubmission>,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for s in subs {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let (status, body) = post(&client, &base, &s).await;
            assert_eq!(status, 200, "{body}");
            accepted.fetch_add(1, Ordering::Relaxed);
        }
    })
}

async fn post_batch(
    client: &reqwest::Client,
    base: &str,
    subs: &[SignedSubmission],
) -> (u16, Value) {
    let lines: Vec<String> = subs
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
    let r = client
        .post(format!("{base}/api/v1/submissions:batch"))
        .header("content-type", "application/x-ndjson")
        .body(lines.join("\n"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// Seqs 0..n without a gap, every `prev` the previous leaf hash (so no two entries share one),
/// and every checkpoint consistent with the one before it.
async fn assert_one_linear_chain(url: &str, vkey: &str) -> u64 {
    let store = Store::open(url, false).await.unwrap();
    let entries = Store::collect(store.entries_from(0)).await.unwrap();
    let mut prevs = HashSet::new();
    let mut last = vec![0u8; 32];
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "gap or repeat in seqs");
        let leaf: Value = serde_json::from_slice(&e.leaf).unwrap();
        let prev = leaf["prev"].as_str().unwrap().to_owned();
        assert_eq!(
            prev,
            hex::encode(&last),
            "entry {i} does not extend entry {}",
            i as i64 - 1
        );
        assert!(prevs.insert(prev), "two entries share a prev");
        last = e.leaf_hash.clone();
    }
    let sizes: Vec<u64> = Store::collect(store.checkpoints())
        .await
        .unwrap()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(sizes.last().copied(), Some(entries.len() as u64));
    for pair in sizes.windows(2) {
        let proof = sunshine_ledger::publish::proofs::consistency(&store, pair[0], Some(pair[1]))
            .await
            .unwrap();
        proof.verify(vkey).unwrap();
    }
    store.close().await;
    entries.len() as u64
}

/// `n` servers on the test ledger's database.
fn servers(t: &TestLedger, n: usize) -> Vec<Server> {
    let keys = t.keys_dir();
    (0..n).map(|_| Server::start(&t.url, &keys)).collect()
}

/// Kills `servers` (whatever they answered 200 is already durable), then checks that the log is
/// one linear chain and that `sunshine audit` passes; answers the size and the audit's report.
async fn stop_and_check(t: &TestLedger, servers: Vec<Server>) -> (u64, String) {
    let vkey = reqwest::get(format!("{}/log/operator.vkey", servers[0].base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    drop(servers);
    let size = assert_one_linear_chain(&t.url, vkey.trim_end()).await;
    (size, audit(&t.url))
}

#[tokio::test]
async fn three_servers_and_sixty_writers_append_one_linear_chain() {
    on_postgres(async {
        const WRITERS: u64 = 60;
        const ENTRIES: u64 = 6_000;
        let t = TestLedger::new().await;
        let servers = servers(&t, 3);
        let bases: Arc<Vec<String>> = Arc::new(servers.iter().map(|s| s.base.clone()).collect());
        let subs: Arc<Vec<SignedSubmission>> =
            Arc::new((0..ENTRIES).map(|i| donation(&t, "M", i)).collect());
        let client = reqwest::Client::new();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            let (bases, subs, client) = (bases.clone(), subs.clone(), client.clone());
            tasks.push(tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in (w..ENTRIES).step_by(WRITERS as usize) {
                    // Round robin over the servers, as a load balancer would.
                    let base = &bases[(i % bases.len() as u64) as usize];
                    let (status, body) = post(&client, base, &subs[i as usize]).await;
                    assert_eq!(status, 200, "submission {i} via {base}: {body}");
                    seqs.push(body["seq"].as_u64().unwrap());
                }
                seqs
            }));
        }
        let mut seqs = HashSet::new();
        for task in tasks {
            for s in task.await.unwrap() {
                assert!(seqs.insert(s), "seq {s} was given twice");
            }
        }
        eprintln!(
            "{ENTRIES} appends through 3 servers in {:?}",
            started.elapsed()
        );
        let (size, report) = stop_and_check(&t, servers).await;
        assert_eq!(size, ENTRIES + 2);
        assert_eq!(seqs, (2..ENTRIES + 2).collect::<HashSet<_>>());
        assert!(
            report.starts_with(&format!("OK: {} entries", ENTRIES + 2)),
            "{report}"
        );
    })
    .await
}

/// Whether the process connected as `application_name` holds the append lock right now (a
/// 64-bit advisory key shows in `pg_locks` as its high and low halves, objsubid 1).
async fn holds_append_lock(admin: &mut sqlx::PgConnection, application_name: &str) -> bool {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1 \
         AND l.objsubid = 1 AND (l.classid::int8 << 32) | l.objid::int8 = $2",
    )
    .bind(application_name)
    .bind(APPEND_LOCK)
    .fetch_one(admin)
    .await
    .unwrap();
    n > 0
}

/// Waits (up to 2 minutes) until the process connected as `application_name` is caught holding
/// the append lock, i.e. in the middle of an append; `alive` says whether it still runs.
async fn until_mid_append(url: &str, application_name: &str, mut alive: impl FnMut() -> bool) {
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !holds_append_lock(&mut admin, application_name).await {
        assert!(
            alive(),
            "{application_name} finished before it was seen holding the append lock"
        );
        assert!(
            Instant::now() < deadline,
            "{application_name} never took the lock"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    admin.close().await.unwrap();
}

/// Waits (up to a minute) until `accepted` has grown by `more` from `from`.
async fn until_accepted(accepted: &AtomicU64, from: u64, more: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while accepted.load(Ordering::Relaxed) < from + more {
        assert!(Instant::now() < deadline, "appends stopped after the kill");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn two_servers_racing_one_submission_or_one_nonce_append_it_once_and_never_answer_500() {
    on_postgres(async {
        const PAIRS: u64 = 40;
        const BATCH: u64 = 5;
        let t = &TestLedger::new().await;
        let servers = servers(t, 2);
        let (a, b) = (servers[0].base.clone(), servers[1].base.clone());
        let (a, b, client) = (a.as_str(), b.as_str(), &reqwest::Client::new());

        // The same signed submission through both servers at once: appended once, and both
        // answers are its original receipt.
        let same = futures_util::future::join_all((0..PAIRS).map(|i| async move {
            let s = donation(t, "S", i);
            tokio::join!(post(client, a, &s), post(client, b, &s))
        }))
        .await;
        for (i, ((sa, ra), (sb, rb))) in same.iter().enumerate() {
            assert_eq!((*sa, *sb), (200, 200), "submission {i}: {ra} / {rb}");
            assert_eq!(ra, rb, "submission {i}: two receipts for one submission");
        }

        // One nonce under two different bodies at once: one is appended, the other is a 409
        // naming the nonce.
        let reused = futures_util::future::join_all((0..PAIRS).map(|i| async move {
            let first = donation(t, "N", i);
            let mut other = donation(t, "O", i).submission;
            other.nonce = first.submission.nonce.clone();
            let other = other.sign(&t.org);
            tokio::join!(post(client, a, &first), post(client, b, &other))
        }))
        .await;
        for (i, ((sa, ra), (sb, rb))) in reused.iter().enumerate() {
            let refused = match (*sa, *sb) {
                (200, 409) => rb,
                (409, 200) => ra,
                other => panic!("nonce {i}: {other:?}: {ra} / {rb}"),
            };
            assert_eq!(refused["error"]["code"], "nonce_reused", "{refused}");
            assert_eq!(refused["error"]["field"], "nonce", "{refused}");
        }

        // The same batch through both servers at once: appended once, the same receipts.
        let batch: Vec<SignedSubmission> = (0..BATCH).map(|i| donation(t, "B", i)).collect();
        let ((sa, ra), (sb, rb)) =
            tokio::join!(post_batch(client, a, &batch), post_batch(client, b, &batch));
        assert_eq!((sa, sb), (200, 200), "{ra} / {rb}");
        assert_eq!(ra, rb);

        let (size, _) = stop_and_check(t, servers).await;
        assert_eq!(size, 2 + 2 * PAIRS + BATCH);
    })
    .await
}

#[tokio::test]
async fn a_writer_killed_mid_append_leaves_all_or_nothing_and_the_others_carry_on() {
    on_postgres(async {
        const VICTIM_ENTRIES: u64 = 4_000;
        let t = TestLedger::new().await;
        let keys = t.keys_dir();
        let server = Server::start(&t.url, &keys);

        // Background load through the server while the victim runs and dies.
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicU64::new(0));
        let load: Vec<SignedSubmission> = (0..2_000).map(|i| donation(&t, "L", i)).collect();
        let mut writers = Vec::new();
        for chunk in load.chunks(500) {
            writers.push(post_each(
                reqwest::Client::new(),
                server.base.clone(),
                chunk.to_vec(),
                stop.clone(),
                accepted.clone(),
            ));
        }

        // The victim: one all-or-none append of many entries, in a process of its own.
        let file = t.dir.path().join("victim.jsonl");
        let victim: Vec<SignedSubmission> =
            (0..VICTIM_ENTRIES).map(|i| donation(&t, "V", i)).collect();
        let lines: Vec<String> = victim
            .iter()
            .map(|s| serde_json::to_string(s).unwrap())
            .collect();
        std::fs::write(&file, lines.join("\n")).unwrap();
        let mut child = Command::new(bin())
            .arg("append")
            .arg(&file)
            .env("DATABASE_URL", format!("{}?application_name=victim", t.url))
            .env("SUNSHINE_KEYS", &keys)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        until_mid_append(&t.url, "victim", || child.try_wait().unwrap().is_none()).await;
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "the victim was killed, not finished");

        // The others carry on: the server keeps accepting.
        until_accepted(&accepted, accepted.load(Ordering::Relaxed), 50).await;
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.await.unwrap();
        }

        // All or nothing of the victim's batch.
        let store = Store::open(&t.url, false).await.unwrap();
        let nonces: HashSet<String> = victim
            .iter()
            .map(|s| s.submission.nonce.to_string())
            .collect();
        let mut found = 0u64;
        let mut rows = store.entries_from(0);
        while let Some(e) = rows.try_next().await.unwrap() {
            let leaf: Value = serde_json::from_slice(&e.leaf).unwrap();
            let nonce = leaf["submission"]["nonce"].as_str().unwrap();
            found += u64::from(nonces.contains(nonce));
        }
        drop(rows);
        assert!(
            found == 0 || found == VICTIM_ENTRIES,
            "{found} of the victim's {VICTIM_ENTRIES} entries were committed"
        );
        let report = audit(&t.url);
        assert!(report.starts_with("OK:"), "{report}");

        // Another process appends after the crash.
        let before = store.size().await.unwrap();
        std::fs::write(&file, serde_json::to_string(&donation(&t, "A", 1)).unwrap()).unwrap();
        let out = Command::new(bin())
            .arg("append")
            .arg(&file)
            .env("DATABASE_URL", &t.url)
            .env("SUNSHINE_KEYS", &keys)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(store.size().await.unwrap(), before + 1);
        audit(&t.url);
        drop(server);
    })
    .await
}

#[tokio::test]
async fn a_server_killed_mid_append_leaves_whole_entries_and_the_others_carry_on() {
    on_postgres(async {
        const WRITERS: u64 = 8;
        let t = TestLedger::new().await;
        let keys = t.keys_dir();
        let mut victim = Server::start(&format!("{}?application_name=victim", t.url), &keys);
        let others = servers(&t, 2);
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicU64::new(0));
        let client = reqwest::Client::new();

        // Writers on every server, until told to stop. The victim's writers end at its death
        // and hand back what they had sent without an answer.
        let mut to_victim = Vec::new();
        let mut to_others = Vec::new();
        for w in 0..WRITERS {
            let subs: Vec<SignedSubmission> = (0..1_000)
                .map(|i| donation(&t, &format!("K{w}"), i))
                .collect();
            let (c, halt) = (client.clone(), stop.clone());
            let base = victim.base.clone();
            to_victim.push(tokio::spawn(async move {
                for s in subs {
                    match try_post(&c, &base, &s).await {
                        Ok((status, body)) => assert_eq!(status, 200, "{body}"),
                        Err(_) => return Some(s),
                    }
                    if halt.load(Ordering::Relaxed) {
                        break;
                    }
                }
                None
            }));
            let subs: Vec<SignedSubmission> = (0..1_000)
                .map(|i| donation(&t, &format!("L{w}"), i))
                .collect();
            to_others.push(post_each(
                client.clone(),
                others[(w % 2) as usize].base.clone(),
                subs,
                stop.clone(),
                accepted.clone(),
            ));
        }

        until_mid_append(&t.url, "victim", || true).await;
        victim.kill();
        until_accepted(&accepted, accepted.load(Ordering::Relaxed), 50).await;
        stop.store(true, Ordering::Relaxed);
        for w in to_others {
            w.await.unwrap();
        }
        let mut unanswered = Vec::new();
        for w in to_victim {
            unanswered.extend(w.await.unwrap());
        }
        assert!(!unanswered.is_empty(), "the victim answered everything");

        // What the victim never answered is in the log whole or not at all: resending it is
        // safe either way (its original receipt, or a new entry).
        for s in &unanswered {
            let (status, body) = post(&client, &others[0].base, s).await;
            assert_eq!(status, 200, "{body}");
        }
        stop_and_check(&t, others).await;
    })
    .await
}
