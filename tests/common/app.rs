//! `spawn_app()`: the real HTTP server on an ephemeral loopback port, against a fresh ledger (a
//! [`TestLedger`], SQLite or PostgreSQL), talked to with reqwest — as a client on another
//! machine would.

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use sunshine_ledger::api::{self, ApiConfig};
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::ledger::{SecretKey, SignedSubmission};
use sunshine_ledger::store::Store;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::TestLedger;

/// A running server and the ledger behind it.
pub struct TestApp {
    pub ledger: TestLedger,
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Test configuration: the defaults without a rate limit (tests that want one set it).
pub fn test_config() -> ApiConfig {
    ApiConfig {
        write_rate_per_sec: 0,
        ..ApiConfig::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_config()).await
}

pub async fn spawn_app_with(config: ApiConfig) -> TestApp {
    spawn_on(TestLedger::new().await, config).await
}

/// A server on an existing ledger (a restarted process, in [`TestApp::restart_with`]).
pub async fn spawn_on(ledger: TestLedger, config: ApiConfig) -> TestApp {
    // The server has its own service over the same database, as a separate process would; the
    // test's `ledger.service` can still append (the append pipeline catches up with others).
    let store = Store::open(&ledger.url, false).await.unwrap();
    let service = Arc::new(
        LedgerService::open(store, SecretKey::from_seed([1; 32]))
            .await
            .unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(api::serve(listener, service, config, async move {
        let _ = stopped.await;
    }));
    TestApp {
        ledger,
        addr,
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        stop: Some(stop),
        server: Some(server),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// Posts a signed submission; returns the status and the JSON body.
    pub async fn submit(&self, sub: &SignedSubmission) -> (u16, Value) {
        self.post_raw("/api/v1/submissions", serde_json::to_vec(sub).unwrap())
            .await
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text:?}"));
        (status, body)
    }

    pub async fn vkey(&self) -> String {
        self.get("/log/operator.vkey")
            .await
            .text()
            .await
            .unwrap()
            .trim_end()
            .to_owned()
    }

    /// Waits (bounded) until the background view refresh has caught up with the log, so that a
    /// dump taken afterwards does not race the refresh the server starts with.
    pub async fn views_settled(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let store = self.ledger.store();
            let size = store.size().await.unwrap();
            if store.view_size().await.unwrap() == Some(size) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the views never caught up with size {size}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Stops the server as SIGTERM would and starts a new one on the same ledger.
    pub async fn restart_with(mut self, config: ApiConfig) -> TestApp {
        self.shutdown().await;
        spawn_on(self.ledger, config).await
    }

    /// Stops the server as SIGTERM would and waits until it has drained.
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }
}
