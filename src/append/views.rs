//! How the cached views follow the log. The service refreshes them itself after every append,
//! so no caller has to remember to:
//!
//! - by default, at the end of the append call, before it returns (CLI commands: the views are
//!   current when the command ends);
//! - in a server, by a background [`ViewRefresher`] the service pokes after every commit: it
//!   refreshes at once, then at most once per [`REFRESH_INTERVAL`] while commits keep coming,
//!   and once more after the last one, so a burst of appends costs one refresh a second;
//! - during a bulk load, not until the load says it is done ([`DeferredViews::finish`]), since
//!   one refresh at the end costs less than one per batch.

use std::sync::Weak;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::service::{AppendError, LedgerService};

/// Shortest time between two view refreshes under load.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// The sending side of the view refresh task: cheap to clone, [`ViewRefresher::poke`] never
/// blocks. The task ends (after a last refresh if one was asked for and the service is still
/// there) when every clone is gone.
#[derive(Clone)]
pub struct ViewRefresher {
    tx: mpsc::Sender<()>,
}

impl ViewRefresher {
    /// Starts the task; it refreshes once at start. It holds the service weakly: the service
    /// holds the refresher, and a strong handle both ways would keep both alive for ever.
    pub(super) fn spawn(service: Weak<LedgerService>) -> (ViewRefresher, JoinHandle<()>) {
        // Capacity 1: a poke while one is already pending is absorbed (that is the debounce).
        let (tx, rx) = mpsc::channel(1);
        (ViewRefresher { tx }, tokio::spawn(run(service, rx)))
    }

    /// Asks for a refresh: the log grew.
    pub fn poke(&self) {
        // Full means a refresh is already pending; closed means the server is stopping.
        let _ = self.tx.try_send(());
    }
}

async fn run(service: Weak<LedgerService>, mut rx: mpsc::Receiver<()>) {
    refresh(&service).await;
    let mut last = Instant::now();
    while rx.recv().await.is_some() {
        // Pokes while we wait or refresh collapse into one pending refresh, done after this one.
        tokio::time::sleep_until(last + REFRESH_INTERVAL).await;
        last = Instant::now();
        refresh(&service).await;
    }
}

async fn refresh(service: &Weak<LedgerService>) {
    let Some(service) = service.upgrade() else {
        return;
    };
    match service.refresh_views().await {
        Ok(size) => tracing::debug!(size, "derived views refreshed"),
        Err(e) => tracing::error!(error = %e, "cannot refresh the derived views"),
    }
}

/// Appends made while this is held leave the views alone; [`DeferredViews::finish`] brings them
/// up to date once. Dropped without `finish` (a load that failed half way), the views stay at
/// the size they reflect, which readers see and which the next refresh catches up from.
#[must_use = "call finish() to refresh the views"]
pub struct DeferredViews<'a> {
    pub(super) service: &'a LedgerService,
}

impl DeferredViews<'_> {
    /// Refreshes the views once for everything appended meanwhile; answers the log size they
    /// now reflect.
    pub async fn finish(self) -> Result<u64, AppendError> {
        self.service.set_views_deferred(false);
        let service = self.service;
        std::mem::forget(self);
        service.refresh_views().await
    }
}

impl Drop for DeferredViews<'_> {
    fn drop(&mut self) {
        self.service.set_views_deferred(false);
    }
}
