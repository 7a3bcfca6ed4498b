//! `sunshine serve` as a process of its own (the built binary), for tests that start, kill and
//! restart real servers: several on one database, or one killed with SIGKILL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use sunshine_ledger::ledger::{Author, Kind, SignedSubmission, Timestamp};

use super::{TestLedger, bin, sub, succeeded};

/// One `sunshine serve` process; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://ADDR`, as the server printed it.
    pub base: String,
}

impl Server {
    pub fn start(url: &str, keys: &Path) -> Server {
        Server::start_with(url, keys, &[])
    }

    /// [`Server::start`] with more environment (`DATABASE_READ_URL`, ...).
    pub fn start_with(url: &str, keys: &Path, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", url)
            .env("SUNSHINE_KEYS", keys)
            .env("SUNSHINE_WRITE_RATE", "0")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("sunshine serve exited before listening")
                .unwrap();
            if let Some(addr) = line.strip_prefix("listening on ") {
                break addr.to_owned();
            }
        };
        // Keep draining its log so the pipe never fills and blocks the server.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if line.contains("ERROR") {
                    eprintln!("server: {line}");
                }
            }
        });
        Server { child, base }
    }

    /// SIGKILL: no shutdown, no drain, whatever it was doing.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "the server was killed, not stopped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sunshine audit` on the database the servers wrote: must pass; returns its report line.
pub fn audit(url: &str) -> String {
    let out = Command::new(bin())
        .arg("audit")
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    succeeded("audit", out)
}

/// A cash donation to the test organisation, signed now (a server refuses a submission signed
/// more than ten minutes from its clock), so the money rules run for every entry.
pub fn donation(t: &TestLedger, tag: &str, i: u64) -> SignedSubmission {
    let today = Timestamp::now().to_string()[..10].to_owned();
    sub(
        Kind::Donation,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"receipt_no": format!("{tag}-{i:06}"), "received_on": today, "form": "cash",
               "amount": format!("{}.{:02}", 10 + i % 500, i % 100), "currency": "CNY",
               "donor_type": "individual", "donor_display": "王*", "receipt": "issued",
               "commitment": sunshine_ledger::ledger::Hash::sha256(&i.to_be_bytes())}),
    )
}

pub async fn post(client: &reqwest::Client, base: &str, s: &SignedSubmission) -> (u16, Value) {
    try_post(client, base, s).await.unwrap()
}

/// As [`post`], for a server that may die before it answers.
pub async fn try_post(
    client: &reqwest::Client,
    base: &str,
    s: &SignedSubmission,
) -> reqwest::Result<(u16, Value)> {
    let r = client
        .post(format!("{base}/api/v1/submissions"))
        .json(s)
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await?))
}
