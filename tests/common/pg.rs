//! A throwaway PostgreSQL server for the tests: `initdb` into a temporary directory, `postgres`
//! on a free loopback port, one server per test binary shared through a fresh database per test.
//!
//! A tiny shell wrapper runs the server and waits for end-of-file on a pipe from the test
//! process, so the server stops when the tests end however they end (even on SIGKILL); the
//! wrapper then shuts it down fast and removes its directory. PostgreSQL refuses to run as root, so as
//! root the server runs as the `postgres` system user (Debian's package creates it).
//!
//! No PostgreSQL on the machine is a test failure, never a skip: `./test` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;

/// How long the server may take to accept connections.
const START_TIMEOUT_SECS: u64 = 60;

const MISSING: &str = "PostgreSQL is not installed (no initdb on PATH or in \
    /usr/lib/postgresql/*/bin): install it with `apt-get install postgresql`, or run the tests \
    with ./test, which does";

pub struct PgServer {
    pub port: u16,
    /// The wrapper, holding our end of its standard input: closed only when the test process
    /// exits (statics are never dropped).
    _wrapper: std::process::Child,
}

static SERVER: OnceLock<PgServer> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// The directory holding `initdb` and `postgres`: PATH first, then Debian's versioned
/// directories (newest first), which the package does not put on PATH.
pub fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .collect();
    debian.sort_by_key(|p| {
        std::cmp::Reverse(
            p.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    on_path
        .chain(debian)
        .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file())
}

fn is_root() -> bool {
    // The effective uid, without a libc dependency: /proc/self/status "Uid: real effective ...".
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// `program args` as the unprivileged user when we are root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ]);
        c.arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> PgServer {
    let bin = bin_dir().unwrap_or_else(|| panic!("{MISSING}"));
    let dir = tempfile::Builder::new()
        .prefix("sunshine-pg-")
        .tempdir()
        .unwrap()
        .keep();
    if is_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "chown of {} failed", dir.display());
    }
    let data = dir.join("data");
    let out = as_server_user(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    // The wrapper waits for end-of-file on its standard input, which happens when this process
    // exits however it exits (the kernel closes our end of the pipe), then shuts the server
    // down fast and removes its directory.
    let script = r#"dir="$1"; shift; "$@" </dev/null & pg=$!
read -r _ || true
kill -INT $pg; wait $pg; rm -rf "$dir""#;
    let mut cmd = as_server_user(Path::new("sh"));
    let child = cmd
        .args(["-c", script, "sh"])
        .arg(&dir)
        .arg(bin.join("postgres"))
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(&dir)
        .args(["-p", &port.to_string()])
        .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"])
        .args(["-c", "max_connections=300", "-c", "shared_buffers=32MB"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start postgres");
    let deadline = Instant::now() + Duration::from_secs(START_TIMEOUT_SECS);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "postgres did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    PgServer {
        port,
        _wrapper: child,
    }
}

/// The shared server, started on first use.
pub fn server() -> &'static PgServer {
    SERVER.get_or_init(start)
}

impl PgServer {
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

/// A new, empty database on the shared server; its URL.
pub async fn fresh_database() -> String {
    let server = server();
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let deadline = Instant::now() + Duration::from_secs(START_TIMEOUT_SECS);
    let mut admin = loop {
        // Accepting TCP is not yet accepting logins ("the database system is starting up").
        match sqlx::PgConnection::connect(&server.url("postgres")).await {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot connect to the test postgres: {e}"),
        }
    };
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    server.url(&name)
}
