//! `sunshine demo`: builds the deterministic demo ledger ([`crate::demo`]) in a new database.
//!
//! Like `init`, it refuses a database that already holds a ledger. Every key is derived from the
//! seed; key files are written only where absent (`operator.key`, `regulator.key`, and one file
//! per organisation under `demo/`, so a user can sign with them), and an existing file holding a
//! different key is refused, since the ledger would then not match the keys on disk.

use anyhow::{Context, bail};
use clap::Args;

use super::{Global, keyfile};
use crate::append::service::LedgerService;
use crate::demo::{self, Options};
use crate::ledger::SecretKey;
use crate::ledger::note::Checkpoint;
use crate::store::{Store, database_url};

mod refusals;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Seed of everything generated: the same seed and scale give a byte-identical ledger.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of donations.
    #[arg(long, default_value_t = 10_000)]
    pub scale: u64,
    /// The log's origin line in checkpoints.
    #[arg(long, default_value = super::init::DEFAULT_ORIGIN)]
    pub origin: String,
}

/// Writes `key` as `dir/name.key` unless that file exists; an existing file must hold `key`.
fn ensure_key(dir: &std::path::Path, name: &str, key: &SecretKey) -> anyhow::Result<bool> {
    let path = keyfile::key_path(dir, name);
    if path.exists() {
        let existing = keyfile::read(&path)?;
        if existing.public() != key.public() {
            bail!(
                "{} exists and holds a different key than the demo derives from this seed; \
                 use another --keys directory (or the seed that made it)",
                path.display()
            );
        }
        return Ok(false);
    }
    keyfile::write_new(dir, name, key)?;
    Ok(true)
}

pub async fn run(g: &Global, args: &DemoArgs) -> anyhow::Result<()> {
    if args.origin.is_empty() || args.origin.contains(char::is_whitespace) {
        bail!("--origin must be a non-empty name without spaces");
    }
    let opts = Options {
        seed: args.seed,
        scale: args.scale,
        origin: args.origin.clone(),
    };
    let started = std::time::Instant::now();
    let demo = demo::generate(&opts)?;

    let url = database_url(&g.db);
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = std::path::Path::new(path.trim_start_matches("//"));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let store = Store::open(&url, true).await?;
    if store.size().await? > 0 {
        bail!(
            "{} already holds a ledger; refusing to add a demo to it",
            g.db
        );
    }
    // Check every key file before writing any, so a refusal leaves nothing half-done.
    let demo_dir = g.keys.join("demo");
    let mut keys: Vec<(&std::path::Path, String, &SecretKey)> = vec![
        (g.keys.as_path(), "operator".into(), &demo.operator),
        (g.keys.as_path(), "regulator".into(), &demo.regulator),
    ];
    for o in &demo.orgs {
        keys.push((demo_dir.as_path(), o.key_name.clone(), &o.key));
    }
    for (name, key) in &demo.extra_keys {
        keys.push((demo_dir.as_path(), name.clone(), key));
    }
    for (dir, name, key) in &keys {
        let path = keyfile::key_path(dir, name);
        if path.exists() && keyfile::read(&path)?.public() != key.public() {
            bail!(
                "{} exists and holds a different key than the demo derives from seed {}; \
                 use another --keys directory",
                path.display(),
                args.seed
            );
        }
    }
    let mut written = 0;
    for (dir, name, key) in &keys {
        written += usize::from(ensure_key(dir, name, key)?);
    }
    let index: String = demo
        .orgs
        .iter()
        .map(|o| format!("{}\t{}\t{}\t{}\n", o.key_name, o.id, o.org_type, o.name))
        .collect();
    std::fs::create_dir_all(&demo_dir)?;
    std::fs::write(
        demo_dir.join("orgs.tsv"),
        format!("key\tuscc\torg_type\tname\n{index}"),
    )
    .context("writing the organisation index")?;

    let service = LedgerService::open(store, SecretKey::from_hex(&demo.operator.to_hex())?).await?;
    // Entries are made as they are appended, so the bar counts simulated days.
    let bar = super::progress::progress(demo::Days::total_days(), "demo (days)");
    let mut appended = 0u64;
    let views = service.defer_views();
    let mut days = demo.days;
    while let Some(batch) = days.next() {
        let n = batch.subs.len() as u64;
        let first = appended;
        let kinds: Vec<&'static str> = batch
            .subs
            .iter()
            .map(|s| s.submission.kind.as_str())
            .collect();
        if let Err(e) = service.append_at(batch.subs, batch.recorded_at).await {
            bar.abandon();
            let at = e
                .index()
                .map(|i| {
                    format!(
                        " (entry {}, a {} of the batch recorded at {})",
                        first + i as u64,
                        kinds.get(i).copied().unwrap_or("?"),
                        batch.recorded_at
                    )
                })
                .unwrap_or_default();
            bail!(
                "BUG in the demo generator: the ledger refused an entry{at}: {e}; \
                 the ledger holds the {first} entries before it"
            );
        }
        appended += n;
        service.snapshot_as_it_grows().await?;
        bar.set_position(days.days_done());
    }
    bar.finish_and_clear();
    views.finish().await?;
    refusals::offer(&service, days.refusals()).await?;
    service.close().await?;
    let state = service.state().await;
    let root = match service.store().latest_checkpoint().await? {
        Some((_, note)) => note
            .split_once("\n\n")
            .and_then(|(text, _)| Checkpoint::parse(&format!("{text}\n")).ok())
            .map(|c| c.root.to_hex())
            .unwrap_or_default(),
        None => String::new(),
    };
    println!(
        "demo ledger {} (seed {}, scale {}): {} entries, {} organisations, {} donations, {} projects",
        g.db,
        args.seed,
        args.scale,
        state.size(),
        state.money.orgs().count(),
        days.donations(),
        state.money.projects().count()
    );
    println!("checkpoint root {root}");
    println!(
        "keys in {} ({written} written; organisation keys and orgs.tsv in {}); generated and appended in {:.1}s",
        g.keys.display(),
        demo_dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
