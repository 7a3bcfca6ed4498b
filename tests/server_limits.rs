//! The server's own limits (issue 18, part 4), against the real server on loopback: idle sockets
//! past the connection cap give way and `/healthz` keeps answering, a newcomer is answered 503 at
//! once when every connection is busy, a request head past 16 KiB is answered 431, and
//! `sunshine serve` raises its open-file soft limit to the hard limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::app::{spawn_app, spawn_app_with, test_config};
use sunshine_ledger::api::ApiConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough for a loaded test machine: these tests ask whether the server answers at all.
const PATIENCE: Duration = Duration::from_secs(20);

fn capped(max_connections: usize) -> ApiConfig {
    ApiConfig {
        max_connections,
        ..test_config()
    }
}

/// Reads one HTTP/1.1 response off `s` (head and a `content-length` body); its status.
async fn read_response(s: &mut TcpStream) -> u16 {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before a response: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |n| n.trim().parse().unwrap());
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed inside a body");
        buf.extend_from_slice(&chunk[..n]);
    }
    head[9..12].parse().unwrap()
}

/// GET `path` on an open keep-alive connection; the status.
async fn get_on(s: &mut TcpStream, path: &str) -> u16 {
    s.write_all(format!("GET {path} HTTP/1.1\r\nhost: test\r\n\r\n").as_bytes())
        .await
        .unwrap();
    tokio::time::timeout(PATIENCE, read_response(s))
        .await
        .expect("an answer")
}

/// Whether the server has closed `s` (end of stream or reset) within a few seconds.
async fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(Duration::from_secs(5), s.read(&mut byte)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test]
async fn idle_sockets_past_the_cap_give_way_and_healthz_keeps_answering() {
    let cap = 16;
    let app = spawn_app_with(capped(cap)).await;
    // An established client: one request answered, its connection kept alive.
    let mut established = TcpStream::connect(app.addr).await.unwrap();
    assert_eq!(get_on(&mut established, "/healthz").await, 200);
    // Far more sockets than the cap, none of which ever sends a byte.
    let mut idle = Vec::new();
    for _ in 0..(cap * 12) {
        idle.push(TcpStream::connect(app.addr).await.unwrap());
    }
    let health = tokio::time::timeout(PATIENCE, reqwest::get(app.url("/healthz")))
        .await
        .expect("/healthz answers")
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(get_on(&mut established, "/healthz").await, 200);
    // The server holds no more than its cap: all but the newest idle sockets were closed.
    let closed = futures_util::future::join_all(idle.iter_mut().map(closed_by_server)).await;
    let closed = closed.iter().filter(|c| **c).count();
    assert!(
        closed >= idle.len() - cap,
        "{closed} of {} idle sockets closed",
        idle.len()
    );
    assert!(
        closed < idle.len(),
        "the newest idle sockets keep their slots"
    );
}

#[tokio::test]
async fn with_every_connection_busy_a_newcomer_is_answered_503_at_once() {
    let cap = 4;
    let app = spawn_app_with(capped(cap)).await;
    // Requests in flight: the handler is reading a body that never comes. hyper answers
    // `100 Continue` once the handler asks for the body, so the request is in flight by then.
    let mut busy = Vec::new();
    for _ in 0..cap {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        s.write_all(
            b"POST /api/v1/submissions HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n\
              content-length: 100\r\nexpect: 100-continue\r\n\r\n",
        )
        .await
        .unwrap();
        let mut line = [0u8; 25];
        tokio::time::timeout(PATIENCE, s.read_exact(&mut line))
            .await
            .expect("100 Continue")
            .unwrap();
        assert_eq!(&line, b"HTTP/1.1 100 Continue\r\n\r\n");
        busy.push(s);
    }
    let mut newcomer = TcpStream::connect(app.addr).await.unwrap();
    let status = tokio::time::timeout(PATIENCE, read_response(&mut newcomer))
        .await
        .expect("an answer without sending anything");
    assert_eq!(status, 503);
    assert!(closed_by_server(&mut newcomer).await);
    // Once the busy clients go, the server answers again.
    drop(busy);
    let answered = tokio::time::timeout(PATIENCE, async {
        loop {
            let answer = reqwest::get(app.url("/healthz")).await;
            if answer.is_ok_and(|r| r.status() == 200) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(answered.is_ok(), "/healthz answered 200 again");
}

/// Sends `head` (and nothing else) while reading the answer, whatever happens to the writing:
/// the server may answer and close before it has read all of a large head.
async fn status_for_head(addr: SocketAddr, head: Vec<u8>) -> String {
    let s = TcpStream::connect(addr).await.unwrap();
    let (mut r, mut w) = s.into_split();
    let writer = tokio::spawn(async move {
        let _ = w.write_all(&head).await;
        w
    });
    let mut got = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, async {
        let mut chunk = [0u8; 4096];
        while !got.windows(2).any(|w| w == b"\r\n") {
            match r.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    drop(writer.await);
    let text = String::from_utf8_lossy(&got);
    text.lines().next().unwrap_or_default().to_owned()
}

fn head_with_header_of(bytes: usize) -> Vec<u8> {
    format!(
        "GET /healthz HTTP/1.1\r\nhost: test\r\nx-filler: {}\r\n\r\n",
        "a".repeat(bytes)
    )
    .into_bytes()
}

#[tokio::test]
async fn a_request_head_past_16_kib_is_answered_431() {
    let app = spawn_app().await;
    assert_eq!(
        status_for_head(app.addr, head_with_header_of(400 * 1024)).await,
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    assert_eq!(
        status_for_head(app.addr, head_with_header_of(17 * 1024)).await,
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    // Headers the size browsers send are read as ever.
    assert_eq!(
        status_for_head(app.addr, head_with_header_of(12 * 1024)).await,
        "HTTP/1.1 200 OK"
    );
}

/// `sunshine serve` started with a soft limit of 256 open files runs with its hard limit.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn serve_raises_its_open_file_soft_limit_to_the_hard_limit() {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};

    let t = common::TestLedger::new().await;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -S -n 256 && exec \"$@\"")
        .arg("sh")
        .arg(common::bin())
        .arg("--db")
        .arg(&t.url)
        .arg("--keys")
        .arg(t.keys_dir())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.starts_with("listening on "));
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening, "sunshine serve did not start");
    let files: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .split_whitespace()
        .collect();
    let (soft, hard) = (files[3], files[4]);
    assert_ne!(soft, "256", "{limits}");
    assert_eq!(soft, hard, "{limits}");
}
