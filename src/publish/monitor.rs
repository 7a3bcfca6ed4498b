//! `sunshine monitor`: follows a published log as an outsider can, through `log/checkpoint` and
//! the tiles only (no database), and reports any inconsistency.
//!
//! One round ([`Monitor::round`]):
//!
//! 1. Read `log/operator.vkey` and pin it in the state directory the first time; a different key
//!    later is reported. Read `log/checkpoint` and verify it under that key (and, when the
//!    monitor was given witnesses, check their quorum of cosignatures).
//! 2. Compare with the checkpoint seen last (`STATE/checkpoint`): a smaller tree is a rollback,
//!    the same size with another root is a fork; both are reported with the two notes, which are
//!    the evidence (each is signed by the operator).
//! 3. With `--url`, bring the local mirror (`STATE/mirror/log/...`) up to the checkpoint: tiles
//!    are immutable once published (a partial tile `.p/W` too), so only files the mirror lacks
//!    are fetched. If the replay then fails, every tile is fetched again and the replay redone
//!    once: kept tiles may be those of a history the log has since rewritten, which step 5 then
//!    reports as the fork it is. With `--dir`, the directory is read in place.
//! 4. Replay every entry under the full rules with the code `sunshine audit --dir` runs
//!    ([`super::dir_audit::replay_export`]), which also checks every tile against the
//!    checkpoint's root.
//! 5. Check the log extends the one seen last: the root of the first `seen` leaves, computed
//!    from tiles the new checkpoint authenticates, must be the root seen then
//!    ([`super::dir_audit::root_at`]).
//! 6. When the operator's API is known and its views are at the replayed size, compare what it
//!    serves with what the replay derives: every organisation's row, balances, totals, yearly
//!    figures and compliance figures, and the receipt of every donation logged since the last
//!    round. (At another size the comparison waits for a round where they agree, and the report
//!    says so: a cosigned checkpoint usually lags the views by a few entries.)
//! 7. Only then save the checkpoint as the one seen.
//!
//! The replay starts from entry 0 each round: the replayed state is not saved between rounds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::dir_audit::{self, DirAuditError};
use super::export::{CHECKPOINT_FILE, LOG_PREFIX, VKEY_FILE, write_atomic};
use crate::ledger::Hash;
use crate::ledger::note::{self, Checkpoint};
use crate::ledger::tiles;
use crate::ledger::witness_policy::{PolicyError, WitnessPolicy};
use crate::money::records::row_seq;
use crate::money::views::keys;
use crate::money::views::rows::{self, ComplianceRow};

/// `STATE/operator.vkey`: the operator key pinned on the first round.
const PINNED_VKEY: &str = "operator.vkey";
/// `STATE/checkpoint`: the last checkpoint that passed every check.
const SEEN_CHECKPOINT: &str = "checkpoint";
/// `STATE/mirror`: the local copy of a remote log (`--url`).
const MIRROR_DIR: &str = "mirror";
/// Deadline of one HTTP request.
const REQUEST_TIMEOUT_SECS: u64 = 30;
/// Largest file the monitor reads from a log: a full entry bundle.
const MAX_FETCH_BYTES: usize = 256 * (2 + 65_535);

/// Where the published log is.
#[derive(Debug, Clone)]
pub enum Source {
    /// A log served over HTTP (`URL/log/checkpoint`, `URL/log/tile/...`).
    Url(String),
    /// An exported directory (`DIR/log/...`).
    Dir(PathBuf),
}

/// What the monitor found wrong. Each names what it compared, so the report is the evidence.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error("fetching {what}: {reason}")]
    Fetch { what: String, reason: String },
    #[error("state directory {}: {source}", path.display())]
    State {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the operator key changed: pinned {pinned}, the log now publishes {found}")]
    KeyChanged { pinned: String, found: String },
    #[error("log/checkpoint: {0}")]
    Checkpoint(String),
    #[error("log/checkpoint: {0}")]
    Witnesses(PolicyError),
    #[error(
        "ROLLBACK: the log now has {now} entries, but a checkpoint for {seen} was seen before\n\
         seen before:\n{seen_note}\nnow:\n{now_note}"
    )]
    Rollback {
        seen: u64,
        now: u64,
        seen_note: String,
        now_note: String,
    },
    #[error("{0}")]
    Fork(Box<Fork>),
    #[error("the published log does not replay: {0}")]
    Audit(#[from] DirAuditError),
    #[error("the API disagrees with the log at {what}: {reason}")]
    Api { what: String, reason: String },
    /// A row the replay derived does not read as its family's type: this build's writer and
    /// readers disagree, so nothing can be compared with it.
    #[error("replayed views: {0}")]
    Derived(#[from] crate::money::views::rows::RowError),
}

/// A fork: the log now has another tree than the checkpoint seen before commits to.
#[derive(Debug, Clone, PartialEq)]
pub struct Fork {
    /// The size seen before, whose root the log no longer has.
    pub size: u64,
    pub seen_root: Hash,
    /// The root of the log's first `size` leaves now.
    pub now_root: Hash,
    /// The two checkpoints, each signed by the operator: the evidence.
    pub seen_note: String,
    pub now_note: String,
}

impl std::fmt::Display for Fork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FORK: at size {} the log now has root {}, but root {} was seen before\n\
             seen before:\n{}\nnow:\n{}",
            self.size, self.now_root, self.seen_root, self.seen_note, self.now_note
        )
    }
}

/// What one round saw.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundReport {
    pub size: u64,
    pub root: Hash,
    /// The size seen on the previous round (`None` on the first).
    pub previous: Option<u64>,
    /// Files fetched into the mirror (0 with `--dir`).
    pub fetched: u64,
    /// Valid witness cosignatures, when the monitor checks witnesses.
    pub cosignatures: Option<usize>,
    /// API answers compared with the replay; `None` when not compared (no API, or its views
    /// at another size: `api_size`).
    pub api_checked: Option<u64>,
    pub api_size: Option<u64>,
}

/// A monitor of one log with its state directory.
pub struct Monitor {
    source: Source,
    state: PathBuf,
    /// The operator's API (its base URL), compared with the replay when given.
    api: Option<String>,
    policy: Option<WitnessPolicy>,
    client: reqwest::Client,
}

impl Monitor {
    pub fn new(
        source: Source,
        state: PathBuf,
        api: Option<String>,
        policy: Option<WitnessPolicy>,
    ) -> Monitor {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(REQUEST_TIMEOUT_SECS))
            .build()
            .unwrap_or_default();
        Monitor {
            source,
            state,
            api: api.map(|a| a.trim_end_matches('/').to_owned()),
            policy,
            client,
        }
    }

    /// One round (see the module docs); the state moves on only when every check passed.
    pub async fn round(&self) -> Result<RoundReport, MonitorError> {
        std::fs::create_dir_all(&self.state).map_err(self.state_err(&self.state))?;
        let vkey_text = self.read_log(VKEY_FILE).await?;
        let vkey = String::from_utf8_lossy(&vkey_text).trim_end().to_owned();
        self.pin(&vkey)?;
        let note_bytes = self.read_log(CHECKPOINT_FILE).await?;
        let note = String::from_utf8(note_bytes)
            .map_err(|_| MonitorError::Checkpoint("not UTF-8".into()))?;
        let cp = Checkpoint::verify(&note, &vkey)
            .map_err(|e| MonitorError::Checkpoint(e.to_string()))?;
        let cosignatures = match &self.policy {
            Some(p) => Some(p.check(&note).map_err(MonitorError::Witnesses)?),
            None => None,
        };

        let seen = self.seen(&vkey)?;
        if let Some((seen_note, old)) = &seen {
            if old.size > cp.size {
                return Err(MonitorError::Rollback {
                    seen: old.size,
                    now: cp.size,
                    seen_note: seen_note.clone(),
                    now_note: note,
                });
            }
            if old.size == cp.size && old.root != cp.root {
                return Err(fork(old, seen_note, cp.root, &note));
            }
        }

        let (root_dir, mut fetched) = match &self.source {
            Source::Dir(d) => (d.clone(), 0),
            Source::Url(_) => {
                let fetched = self.mirror(&cp, &vkey_text, &note).await?;
                (self.state.join(MIRROR_DIR), fetched)
            }
        };
        let since = seen.as_ref().map_or(0, |(_, old)| old.size);
        let mut replayed = replay(&root_dir, since).await;
        let cached = fetched < tiles::tiles_for_size(cp.size).len() as u64;
        if matches!(self.source, Source::Url(_))
            && cached
            && matches!(replayed, Err(MonitorError::Audit(_)))
        {
            // Tiles kept from earlier rounds may be those of another history (the log was
            // rewritten): fetch every tile again and replay once more, so a rewrite is reported
            // as the fork it is (step 5) rather than as tiles that disagree with the root.
            let mirror = self.state.join(MIRROR_DIR);
            std::fs::remove_dir_all(&mirror).map_err(self.state_err(&mirror))?;
            fetched = self.mirror(&cp, &vkey_text, &note).await?;
            replayed = replay(&root_dir, since).await;
        }
        let (report, state, donations) = replayed?;
        if report.root != cp.root || report.size != cp.size {
            return Err(MonitorError::Checkpoint(format!(
                "the replay reached size {} root {}, the checkpoint says size {} root {}",
                report.size, report.root, cp.size, cp.root
            )));
        }

        if let Some((seen_note, old)) = &seen
            && old.size < cp.size
        {
            let dir = root_dir.clone();
            let (size, old_size) = (cp.size, old.size);
            let then =
                tokio::task::spawn_blocking(move || dir_audit::root_at(&dir, size, old_size))
                    .await
                    .map_err(|e| {
                        MonitorError::Checkpoint(format!("the check task failed: {e}"))
                    })??;
            if then != old.root {
                return Err(fork(old, seen_note, then, &note));
            }
        }

        let (api_checked, api_size) = match &self.api {
            Some(api) => {
                self.compare_api(api, cp.size, &state.summary_view_rows(), &donations)
                    .await?
            }
            None => (None, None),
        };

        let path = self.state.join(SEEN_CHECKPOINT);
        write_atomic(&path, note.as_bytes()).map_err(self.state_err(&path))?;
        Ok(RoundReport {
            size: cp.size,
            root: cp.root,
            previous: seen.map(|(_, old)| old.size),
            fetched,
            cosignatures,
            api_checked,
            api_size,
        })
    }

    fn state_err<'a>(&self, path: &'a Path) -> impl FnOnce(std::io::Error) -> MonitorError + 'a {
        move |source| MonitorError::State {
            path: path.to_owned(),
            source,
        }
    }

    /// Pins the operator key on the first round; refuses another one later.
    fn pin(&self, vkey: &str) -> Result<(), MonitorError> {
        note::parse_vkey(vkey)
            .map_err(|e| MonitorError::Checkpoint(format!("log/operator.vkey: {e}")))?;
        let path = self.state.join(PINNED_VKEY);
        match std::fs::read_to_string(&path) {
            Ok(pinned) if pinned.trim_end() == vkey => Ok(()),
            Ok(pinned) => Err(MonitorError::KeyChanged {
                pinned: pinned.trim_end().to_owned(),
                found: vkey.to_owned(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_atomic(&path, format!("{vkey}\n").as_bytes()).map_err(self.state_err(&path))
            }
            Err(e) => Err(MonitorError::State { path, source: e }),
        }
    }

    /// The checkpoint seen last, verified again under the pinned key.
    fn seen(&self, vkey: &str) -> Result<Option<(String, Checkpoint)>, MonitorError> {
        let path = self.state.join(SEEN_CHECKPOINT);
        match std::fs::read_to_string(&path) {
            Ok(note) => {
                let cp = Checkpoint::verify(&note, vkey)
                    .map_err(|e| MonitorError::Checkpoint(format!("{}: {e}", path.display())))?;
                Ok(Some((note, cp)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(MonitorError::State { path, source: e }),
        }
    }

    /// A file under `log/` from the source.
    async fn read_log(&self, name: &str) -> Result<Vec<u8>, MonitorError> {
        let what = format!("{LOG_PREFIX}/{name}");
        match &self.source {
            Source::Dir(d) => {
                std::fs::read(d.join(LOG_PREFIX).join(name)).map_err(|e| MonitorError::Fetch {
                    what,
                    reason: e.to_string(),
                })
            }
            Source::Url(base) => {
                self.get(&format!("{}/{what}", base.trim_end_matches('/')))
                    .await
            }
        }
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, MonitorError> {
        let fail = |reason: String| MonitorError::Fetch {
            what: url.to_owned(),
            reason,
        };
        let r = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !r.status().is_success() {
            return Err(fail(format!("HTTP {}", r.status())));
        }
        let bytes = r.bytes().await.map_err(|e| fail(e.to_string()))?;
        if bytes.len() > MAX_FETCH_BYTES {
            return Err(fail(format!("larger than {MAX_FETCH_BYTES} bytes")));
        }
        Ok(bytes.to_vec())
    }

    /// Brings `STATE/mirror/log` up to `cp`: every tile its tree names that the mirror lacks,
    /// then the key and the checkpoint. Returns the files fetched.
    async fn mirror(&self, cp: &Checkpoint, vkey: &[u8], note: &str) -> Result<u64, MonitorError> {
        let Source::Url(base) = &self.source else {
            return Ok(0);
        };
        let log = self.state.join(MIRROR_DIR).join(LOG_PREFIX);
        let mut fetched = 0;
        for tile in tiles::tiles_for_size(cp.size) {
            let path = log.join(tile.path());
            if path.exists() {
                continue; // A published tile path never changes its bytes.
            }
            let bytes = self
                .get(&format!(
                    "{}/{LOG_PREFIX}/{}",
                    base.trim_end_matches('/'),
                    tile.path()
                ))
                .await?;
            write_atomic(&path, &bytes).map_err(self.state_err(&path))?;
            fetched += 1;
        }
        for (name, bytes) in [(VKEY_FILE, vkey), (CHECKPOINT_FILE, note.as_bytes())] {
            let path = log.join(name);
            write_atomic(&path, bytes).map_err(self.state_err(&path))?;
        }
        Ok(fetched)
    }

    /// Compares the API's organisation figures and new receipts with the replay's; answers how
    /// many answers were compared (`None` when the API's views are at another size) and the
    /// API's size.
    async fn compare_api(
        &self,
        api: &str,
        size: u64,
        views: &BTreeMap<String, String>,
        donations: &BTreeMap<String, String>,
    ) -> Result<(Option<u64>, Option<u64>), MonitorError> {
        let orgs = self.api_json(api, "/api/v1/orgs").await?;
        let api_size = orgs["as_of_size"].as_u64();
        if api_size != Some(size) {
            return Ok((None, api_size));
        }
        let mut checked = 1;
        let derived_orgs = rows_under(views, keys::ORG.prefix());
        same(
            "/api/v1/orgs orgs",
            &orgs["orgs"],
            &Value::Array(derived_orgs),
        )?;
        for key in views.keys().filter(|k| k.starts_with(keys::ORG.prefix())) {
            let org = &key[keys::ORG.prefix().len()..];
            let path = format!("/api/v1/orgs/{org}");
            let got = self.api_json(api, &path).await?;
            let under = |family: keys::Family| family.under(&[&org]);
            let keyed = |prefix: String| {
                Value::Array(
                    views
                        .range(prefix.clone()..)
                        .take_while(|(k, _)| k.starts_with(&prefix))
                        .map(|(k, v)| serde_json::json!({"key": k, "value": parse(v)}))
                        .collect(),
                )
            };
            same(&format!("{path} org"), &got["org"], &parse(&views[key]))?;
            same(
                &format!("{path} balances"),
                &got["balances"],
                &keyed(under(keys::BALANCE)),
            )?;
            same(
                &format!("{path} totals"),
                &got["totals"],
                &keyed(under(keys::ORG_TOTAL)),
            )?;
            same(
                &format!("{path} figures"),
                &got["figures"],
                &Value::Array(rows_under(views, &under(keys::FIGURES))),
            )?;
            same_rows::<ComplianceRow>(
                &format!("{path} compliance"),
                &got["compliance"],
                views,
                &under(keys::COMPLIANCE),
            )?;
            checked += 1;
        }
        for (key, value) in donations {
            let mut parts = keys::DONATION.parts(key).into_iter().flatten();
            let (Some(org), Some(receipt)) = (parts.next(), parts.next()) else {
                continue;
            };
            let path = format!("/api/v1/receipts/{receipt}?org={org}");
            let got = self.api_json(api, &path).await?;
            same(&format!("{path} donation"), &got["donation"], &parse(value))?;
            checked += 1;
        }
        Ok((Some(checked), api_size))
    }

    async fn api_json(&self, api: &str, path: &str) -> Result<Value, MonitorError> {
        let bytes = self.get(&format!("{api}{path}")).await?;
        serde_json::from_slice(&bytes).map_err(|e| MonitorError::Api {
            what: path.to_owned(),
            reason: format!("not JSON: {e}"),
        })
    }
}

/// What a replay yields: the audit's report, the replayed state and the donation records.
type Replayed = (
    crate::replay::audit::AuditReport,
    crate::replay::state::State,
    BTreeMap<String, String>,
);

/// Replays the log in `dir` (see [`dir_audit::replay_export`]), keeping the donation records
/// written by entries from `since` on. (A correction's rebuild hands over only the records it
/// did not take while it was fed, which the export replay drops: the donations it changed are
/// not among those compared.)
async fn replay(dir: &Path, since: u64) -> Result<Replayed, MonitorError> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut donations: BTreeMap<String, String> = BTreeMap::new();
        dir_audit::replay_export(&dir, |seq, records| {
            // A correction's rebuild replaces the records of the entries from where it started.
            if let Some(from) = records.reset_from {
                donations.retain(|_, v| row_seq(v).is_some_and(|seq| seq < from));
            }
            if records.reset_from.is_some() || seq >= since {
                for r in &records.rows {
                    let (k, v) = r.row();
                    if k.starts_with(keys::DONATION.prefix()) {
                        donations.insert(k, v);
                    }
                }
            }
        })
        .map(|(report, state)| (report, state, donations))
    })
    .await
    .map_err(|e| MonitorError::Checkpoint(format!("the replay task failed: {e}")))?
    .map_err(MonitorError::from)
}

fn fork(old: &Checkpoint, seen_note: &str, now_root: Hash, note: &str) -> MonitorError {
    MonitorError::Fork(Box::new(Fork {
        size: old.size,
        seen_root: old.root,
        now_root,
        seen_note: seen_note.to_owned(),
        now_note: note.to_owned(),
    }))
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::String(text.to_owned()))
}

fn rows_under(views: &BTreeMap<String, String>, prefix: &str) -> Vec<Value> {
    views
        .range(prefix.to_owned()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| parse(v))
        .collect()
}

/// `Ok` when the API's answer `got` is the rows under `prefix` the replay derived, each of a
/// typed family whose type is `T`: the derived rows read as `T` (else the key is named), the
/// answer reads as a list of `T` (else the API is reported with the reason), and then the two
/// are compared whole, so a field the type does not know still counts.
fn same_rows<T: serde::de::DeserializeOwned + serde::Serialize>(
    what: &str,
    got: &Value,
    views: &BTreeMap<String, String>,
    prefix: &str,
) -> Result<(), MonitorError> {
    let derived = views
        .range(prefix.to_owned()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| rows::read::<T>(k, v))
        .collect::<Result<Vec<T>, _>>()?;
    Vec::<T>::deserialize(got).map_err(|e| MonitorError::Api {
        what: what.to_owned(),
        reason: format!("it serves rows that do not read as their type: {e}"),
    })?;
    let derived = serde_json::to_value(&derived).map_err(|e| rows::RowError {
        key: prefix.to_owned(),
        reason: e.to_string(),
    })?;
    same(what, got, &derived)
}

/// `Ok` when the API's answer equals the derived value; otherwise both, for the report.
fn same(what: &str, got: &Value, derived: &Value) -> Result<(), MonitorError> {
    if got == derived {
        return Ok(());
    }
    Err(MonitorError::Api {
        what: what.to_owned(),
        reason: format!("it serves {got}, the log derives {derived}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "51330100MJ00010182";

    /// A `compliance/` row as stored, with this fundraising status (JSON text).
    fn row(fundraising: &str) -> String {
        format!(
            r#"{{"currency":"CNY","figures":[],"org":"{ORG}","public_fundraising":{fundraising},"sides":[],"year":2025}}"#
        )
    }

    fn served(text: &str) -> Value {
        Value::Array(vec![serde_json::from_str(text).unwrap()])
    }

    #[test]
    fn compliance_answers_are_read_as_their_type_and_compared_whole() {
        let key = keys::COMPLIANCE.key(&[&ORG, &2025, &"CNY"]);
        let prefix = keys::COMPLIANCE.under(&[&ORG]);
        let views = BTreeMap::from([(key.clone(), row("true"))]);
        let check = |got: &Value, views: &BTreeMap<String, String>| {
            same_rows::<ComplianceRow>("compliance", got, views, &prefix)
        };
        check(&served(&row("true")), &views).unwrap();
        // Another status is a disagreement, reported with both.
        let e = check(&served(&row("false")), &views).unwrap_err();
        assert!(matches!(e, MonitorError::Api { .. }), "{e}");
        // A status served as a string does not read as the row's type.
        let e = check(&served(&row(r#""true""#)), &views).unwrap_err();
        assert!(e.to_string().contains("do not read as their type"), "{e}");
        // A field the type does not know still counts.
        let extra = row("true").replacen('{', r#"{"extra":1,"#, 1);
        let e = check(&served(&extra), &views).unwrap_err();
        assert!(matches!(e, MonitorError::Api { .. }), "{e}");
        // A derived row that does not read is named by its key.
        let bad = BTreeMap::from([(key.clone(), row(r#""true""#))]);
        match check(&served(&row("true")), &bad) {
            Err(MonitorError::Derived(e)) => assert_eq!(e.key, key),
            other => panic!("{other:?}"),
        }
    }
}
