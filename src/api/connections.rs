//! How many connections the server holds, and what it does with one too many (issue 18).
//!
//! An attack run held 2,000 idle sockets against a soft limit of 1,024 open files: `accept`
//! failed with "too many open files" in a loop and `/healthz` took 9 to 11 seconds per wave. So
//! `sunshine serve` raises its soft limit to the hard limit at start ([`raise_open_files`]), and
//! holds at most `max_connections` connections, well below it ([`Slots`]). When a new
//! connection would be one too many, the server makes room by closing the connection that is
//! doing least for anyone: first one that has not sent a complete request yet, then one idle
//! between keep-alive requests, the longest idle first. A connection with a request in flight is
//! never closed for room; when every one has, the newcomer is answered 503 at once and closed.
//! Idle sockets therefore cost their holder a slot only until someone needs it, and a client
//! that made a request keeps its connection ahead of sockets that never did.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

/// Default most connections held at once (`--max-connections`).
pub const MAX_CONNECTIONS: usize = 4_096;
/// File descriptors kept free of connections: the database pool, the SQLite files and journals,
/// outgoing witness requests, the log.
pub const RESERVED_FDS: u64 = 128;

/// What became of the process's open-file limit at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    pub soft: u64,
    pub hard: u64,
}

/// Raises the soft limit of open files (RLIMIT_NOFILE) to the hard limit, where the system has
/// one; the soft default (often 1,024) is far below what a server holding thousands of sockets
/// needs, and the hard limit is what the administrator allows.
pub fn raise_open_files() -> std::io::Result<OpenFiles> {
    rlimit::increase_nofile_limit(u64::MAX)?;
    let (soft, hard) = rlimit::Resource::NOFILE.get()?;
    Ok(OpenFiles { soft, hard })
}

/// The soft limit of open files now (unlimited where the system cannot say).
pub fn open_files_soft() -> u64 {
    rlimit::Resource::NOFILE
        .get()
        .map_or(u64::MAX, |(soft, _)| soft)
}

/// The connection cap to use: `wanted`, lowered so connections leave [`RESERVED_FDS`] of the
/// open-file limit free (at least one connection).
pub fn cap_for(wanted: usize, open_files_soft: u64) -> usize {
    let room = open_files_soft.saturating_sub(RESERVED_FDS).max(1);
    usize::try_from(room)
        .map_or(wanted, |room| wanted.min(room))
        .max(1)
}

/// The connections the server holds, each with what it is doing.
pub struct Slots {
    max: usize,
    started: Instant,
    table: Mutex<Table>,
    /// Newcomers answered 503 so far.
    shed: AtomicU64,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    held: HashMap<u64, Arc<Conn>>,
}

/// One held connection, as the server sees it.
#[derive(Default)]
pub struct Conn {
    in_flight: AtomicUsize,
    /// Whether it has ever sent a complete request.
    served: AtomicBool,
    /// Milliseconds since the slots were made, when it last started or finished a request.
    last_active_ms: AtomicU64,
    /// Signalled when the server needs its slot: finish what is in flight, then close.
    close: Notify,
}

impl Conn {
    /// Resolves when the server wants this connection's slot back.
    pub async fn closing(&self) {
        self.close.notified().await;
    }
}

/// A connection's claim on a slot; gives the slot back when dropped.
pub struct Slot {
    slots: Arc<Slots>,
    id: u64,
    conn: Arc<Conn>,
}

impl Slot {
    pub fn conn(&self) -> &Arc<Conn> {
        &self.conn
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.lock().held.remove(&self.id);
    }
}

/// Marks a request in flight on a connection until dropped.
pub struct Busy {
    slots: Arc<Slots>,
    conn: Arc<Conn>,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.conn
            .last_active_ms
            .store(self.slots.now_ms(), Ordering::Relaxed);
        self.conn.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Slots {
    pub fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            max: max.max(1),
            started: Instant::now(),
            table: Mutex::new(Table::default()),
            shed: AtomicU64::new(0),
        })
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// How many connections are held now.
    pub fn held(&self) -> usize {
        self.lock().held.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // The table holds no invariant a panicking holder could break half-way.
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A slot for a new connection, closing the least useful idle one to make room if all are
    /// taken; `None` when every held connection has a request in flight.
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut table = self.lock();
        if table.held.len() >= self.max {
            let victim = table
                .held
                .iter()
                .filter(|(_, c)| c.in_flight.load(Ordering::Acquire) == 0)
                .min_by_key(|(_, c)| {
                    (
                        c.served.load(Ordering::Relaxed),
                        c.last_active_ms.load(Ordering::Relaxed),
                    )
                })
                .map(|(id, _)| *id)?;
            if let Some(c) = table.held.remove(&victim) {
                // `notify_one` keeps the signal if the connection is not waiting yet.
                c.close.notify_one();
            }
        }
        let id = table.next_id;
        table.next_id += 1;
        let conn = Arc::new(Conn::default());
        conn.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
        table.held.insert(id, conn.clone());
        Some(Slot {
            slots: self.clone(),
            id,
            conn,
        })
    }

    /// Counts a newcomer answered 503; the count so far.
    pub fn note_shed(&self) -> u64 {
        self.shed.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Marks a request in flight on `conn` until the returned guard is dropped.
    pub fn busy(self: &Arc<Self>, conn: &Arc<Conn>) -> Busy {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        conn.served.store(true, Ordering::Relaxed);
        conn.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
        Busy {
            slots: self.clone(),
            conn: conn.clone(),
        }
    }
}

/// What a connection beyond the cap is told before it is closed: our JSON error body, and when
/// to come back.
pub const OVERLOADED_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 105\r\n\
\r\n\
{\"error\":{\"code\":\"overloaded\",\"message\":\"the server holds as many connections as it may; retry shortly\"}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overloaded_response_declares_its_own_length() {
        let text = std::str::from_utf8(OVERLOADED_RESPONSE).expect("ASCII");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        let declared = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|n| n.parse::<usize>().ok());
        assert_eq!(declared, Some(body.len()));
        let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(v["error"]["code"], "overloaded");
    }

    #[test]
    fn room_is_made_from_never_used_connections_first_then_the_longest_idle() {
        let slots = Slots::new(3);
        let a = slots.admit().expect("room");
        let b = slots.admit().expect("room");
        let c = slots.admit().expect("room");
        // a served a request and is idle; b has one in flight; c never sent one.
        drop(slots.busy(a.conn()));
        let _b_busy = slots.busy(b.conn());
        let d = slots.admit().expect("c's slot");
        assert_eq!(slots.held(), 3);
        assert!(!slots.lock().held.contains_key(&c.id));
        // Now a (idle, served) or d (never served): d goes first.
        let _e = slots.admit().expect("d's slot");
        assert!(!slots.lock().held.contains_key(&d.id));
        assert!(slots.lock().held.contains_key(&a.id));
        // A slot given back is free again.
        drop(a);
        assert_eq!(slots.held(), 2);
    }

    #[test]
    fn with_every_connection_busy_there_is_no_room() {
        let slots = Slots::new(2);
        let a = slots.admit().expect("room");
        let b = slots.admit().expect("room");
        let _busy = (slots.busy(a.conn()), slots.busy(b.conn()));
        assert!(slots.admit().is_none());
        assert_eq!(slots.held(), 2);
    }

    #[test]
    fn the_cap_leaves_file_descriptors_for_everything_else() {
        assert_eq!(cap_for(4_096, 1_024), 1_024 - RESERVED_FDS as usize);
        assert_eq!(cap_for(4_096, 1_048_576), 4_096);
        assert_eq!(cap_for(4_096, 10), 1);
        assert_eq!(cap_for(0, 1_024), 1);
    }
}
