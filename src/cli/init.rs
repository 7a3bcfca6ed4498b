//! `sunshine init`: database, operator key pair and genesis entry.

use anyhow::{Context, bail};
use clap::Args;
use serde_json::json;

use super::{Global, keyfile};
use crate::append::service::LedgerService;
use crate::ledger::authority::RegulatorSpec;
use crate::ledger::{Author, Kind, PublicKey, SecretKey, Uscc, submission};
use crate::store::{Store, database_url};

/// The origin (log name) used when none is given: C2SP origins look like a URL without scheme.
pub const DEFAULT_ORIGIN: &str = "localhost/sunshine-ledger";

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The log's origin line in checkpoints, e.g. "ledger.example.org/sunshine".
    #[arg(long, default_value = DEFAULT_ORIGIN)]
    pub origin: String,
    /// A regulator named in genesis, as "USCC,PUBLIC_KEY_HEX,NAME" (repeatable). Without any, a
    /// local regulator key pair is generated (keys/regulator.key) for a single-machine setup.
    #[arg(long = "regulator")]
    pub regulators: Vec<String>,
}

fn parse_regulator(s: &str) -> anyhow::Result<RegulatorSpec> {
    let mut parts = s.splitn(3, ',');
    let (Some(id), Some(key), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("--regulator must be \"USCC,PUBLIC_KEY_HEX,NAME\" (got {s:?})");
    };
    let id: Uscc = id
        .trim()
        .parse()
        .with_context(|| format!("--regulator id {id:?}"))?;
    let key: PublicKey = key
        .trim()
        .parse()
        .with_context(|| "--regulator public key")?;
    let name = name.trim();
    if name.is_empty() {
        bail!("--regulator name is empty");
    }
    Ok(RegulatorSpec {
        id,
        name: name.to_owned(),
        key,
    })
}

/// The code of the generated local regulator: a provincial civil-affairs department (机关, "11"),
/// Guangdong (440000).
pub fn local_regulator_id() -> Uscc {
    Uscc::with_check("11440000MB0000001").expect("constant is a valid code prefix")
}

pub async fn run(g: &Global, args: &InitArgs) -> anyhow::Result<()> {
    if args.origin.is_empty() || args.origin.contains(char::is_whitespace) {
        bail!("--origin must be a non-empty name without spaces");
    }
    let mut regulators = args
        .regulators
        .iter()
        .map(|r| parse_regulator(r))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let url = database_url(&g.db);
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = std::path::Path::new(path.trim_start_matches("//"));
        if path.exists() {
            bail!(
                "{} already exists; refusing to initialise over a ledger",
                path.display()
            );
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let operator_path = keyfile::key_path(&g.keys, "operator");
    let operator = if operator_path.exists() {
        eprintln!(
            "using the existing operator key {}",
            operator_path.display()
        );
        keyfile::read(&operator_path)?
    } else {
        let key = SecretKey::generate();
        keyfile::write_new(&g.keys, "operator", &key)?;
        eprintln!("wrote the operator key pair {}", operator_path.display());
        key
    };
    if regulators.is_empty() {
        let path = keyfile::key_path(&g.keys, "regulator");
        let key = if path.exists() {
            keyfile::read(&path)?
        } else {
            let key = SecretKey::generate();
            keyfile::write_new(&g.keys, "regulator", &key)?;
            key
        };
        eprintln!(
            "local regulator {} with key {}",
            local_regulator_id(),
            path.display()
        );
        regulators.push(RegulatorSpec {
            id: local_regulator_id(),
            name: "广东省民政厅（本地示例）".into(),
            key: key.public(),
        });
    }
    let store = Store::open(&url, true).await?;
    if store.size().await? > 0 {
        bail!("the database already holds a ledger");
    }
    let body = json!({"origin": args.origin, "operator_key": operator.public().to_hex(), "regulators": regulators});
    let body = body.as_object().cloned().unwrap_or_default();
    let genesis =
        submission::draft(Kind::Genesis, Author::Operator, &operator, body).sign(&operator);
    let service = LedgerService::open(store, operator).await?;
    service.append(vec![genesis]).await?;
    println!("initialised {} with origin {:?}", g.db, args.origin);
    Ok(())
}

/// Opens an existing ledger for writing.
pub async fn open_service(g: &Global) -> anyhow::Result<LedgerService> {
    let read = g.read_db.as_deref().map(database_url);
    let store = Store::open_with_reads(&database_url(&g.db), read.as_deref(), false).await?;
    let operator = keyfile::operator(&g.keys)?;
    Ok(LedgerService::open(store, operator).await?)
}
