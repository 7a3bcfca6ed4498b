//! The read side of the HTTP API: entries, proofs, checkpoint and tiles (byte-equal to a static
//! export), the OpenAPI document covering every route, headers on every response, and the
//! router driven in-process with `oneshot`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use common::app::{spawn_app, test_config};
use common::offline::{root_from_path, verify_checkpoint};
use indicatif::ProgressBar;
use serde_json::Value;
use sunshine_ledger::api::{self, AppState};
use sunshine_ledger::publish::proofs::{ConsistencyProof, InclusionProof};
use tower::ServiceExt;

async fn entries_are_served_with_their_exact_leaf_bytes_by_seq_hash_and_range() {
    let app = spawn_app().await;
    app.ledger.fill(1_200, 600).await;
    let (status, e) = app.get_json("/api/v1/entries/7").await;
    assert_eq!(status, 200);
    let stored = app.ledger.store().entry(7).await.unwrap().unwrap();
    assert_eq!(e["leaf"].as_str().unwrap().as_bytes(), stored.leaf);
    assert_eq!(e["leaf_hash"], hex::encode(&stored.leaf_hash));
    assert_eq!(e["entry"]["seq"], 7);
    let (status, by_hash) = app
        .get_json(&format!(
            "/api/v1/entries/by-hash/{}",
            e["leaf_hash"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, &by_hash), (200, &e));

    // Pages are capped at 1000 and say where the next one starts.
    let (_, page) = app.get_json("/api/v1/entries?from=5&limit=5000").await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 1000);
    assert_eq!(page["entries"][0]["seq"], 5);
    assert_eq!(page["next"], 1005);
    assert_eq!(page["size"], 1202);
    let (_, tail) = app.get_json("/api/v1/entries?from=1200").await;
    assert_eq!(tail["entries"].as_array().unwrap().len(), 2);
    assert_eq!(tail["next"], Value::Null);

    for (path, status) in [
        ("/api/v1/entries/99999", 404),
        ("/api/v1/entries/-1", 400),
        ("/api/v1/entries/by-hash/zz", 400),
        (&format!("/api/v1/entries/by-hash/{}", "00".repeat(32)), 404),
        ("/api/v1/entries?limit=many", 400),
        ("/api/v1/nothing-here", 404),
    ] {
        let (got, body) = app.get_json(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"]["code"].is_string(), "{path}: {body}");
    }
}

async fn proofs_verify_against_signed_checkpoints() {
    let app = spawn_app().await;
    app.ledger.fill(300, 100).await;
    let vkey = app.vkey().await;
    let (status, doc) = app
        .get_json("/api/v1/proof/inclusion?seq=150&size=202")
        .await;
    assert_eq!(status, 200, "{doc}");
    let proof: InclusionProof = serde_json::from_value(doc.clone()).unwrap();
    proof.verify(&vkey).unwrap();
    let (_, size, root) = verify_checkpoint(&proof.checkpoint, &vkey);
    let path: Vec<[u8; 32]> = proof.proof.iter().map(|h| *h.as_bytes()).collect();
    assert_eq!(
        root_from_path(150, size, *proof.leaf_hash.as_bytes(), &path),
        Some(root)
    );
    let (status, doc) = app
        .get_json("/api/v1/proof/consistency?from=102&to=302")
        .await;
    assert_eq!(status, 200, "{doc}");
    let c: ConsistencyProof = serde_json::from_value(doc).unwrap();
    c.verify(&vkey).unwrap();
    let (status, _) = app.get_json("/api/v1/proof/consistency?from=102").await;
    assert_eq!(status, 200);
    // Sizes without a signed checkpoint, and missing or bad parameters.
    for (path, status) in [
        ("/api/v1/proof/inclusion?seq=5&size=150", 404),
        ("/api/v1/proof/inclusion?seq=500", 404),
        ("/api/v1/proof/inclusion", 400),
        ("/api/v1/proof/consistency?from=302&to=102", 400),
    ] {
        assert_eq!(app.get_json(path).await.0, status, "{path}");
    }
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Numbers past the database's signed 64-bit range are questions about entries and trees that
/// cannot exist: 404 (or 400 where the request contradicts itself), never a 500 or a "stored
/// data is corrupt" alarm in the log. Numbers past u64 are malformed: 400 naming the field.
async fn numbers_past_2_63_answer_not_found_not_a_server_error() {
    let app = spawn_app().await;
    app.ledger.fill(10, 10).await;
    let size = app.ledger.store().size().await.unwrap();
    let big = [
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
    ];
    for n in big {
        let cases = [
            (format!("/api/v1/entries/{n}"), 404, None),
            (format!("/api/v1/entries?from={n}"), 200, None),
            (format!("/api/v1/proof/inclusion?seq={n}"), 404, None),
            (format!("/api/v1/proof/inclusion?seq=1&size={n}"), 404, None),
            (
                format!("/api/v1/proof/consistency?from=1&to={n}"),
                404,
                None,
            ),
            (
                format!("/api/v1/proof/consistency?from={n}"),
                400,
                Some("from"),
            ),
        ];
        for (path, want, field) in cases {
            let (status, doc) = app.get_json(&path).await;
            assert_eq!(status, want, "{path}: {doc}");
            if let Some(field) = field {
                assert_eq!(doc["error"]["field"], field, "{path}: {doc}");
            }
        }
    }
    for path in [
        "/api/v1/entries/18446744073709551616",
        "/api/v1/proof/inclusion?seq=18446744073709551616",
        "/api/v1/proof/consistency?from=1&to=18446744073709551616",
    ] {
        let (status, doc) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {doc}");
    }
    // Nothing was written, and the ledger still answers.
    assert_eq!(app.ledger.store().size().await.unwrap(), size);
    let (status, _) = app.get_json("/api/v1/entries/0").await;
    assert_eq!(status, 200);
}

async fn the_live_log_layout_equals_the_static_export_byte_for_byte() {
    let app = spawn_app().await;
    app.ledger.fill(600, 300).await;
    let out = tempfile::tempdir().unwrap();
    sunshine_ledger::publish::export::export(
        app.ledger.store(),
        out.path(),
        &ProgressBar::hidden(),
    )
    .await
    .unwrap();
    let mut files = Vec::new();
    files_under(out.path(), &mut files);
    assert!(files.len() > 6);
    for f in files {
        let rel = f
            .strip_prefix(out.path())
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let r = app.get(&format!("/{rel}")).await;
        assert_eq!(r.status(), 200, "{rel}");
        let full_tile = rel.starts_with("log/tile/") && !rel.contains(".p/");
        let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
        assert_eq!(cache.contains("immutable"), full_tile, "{rel}: {cache}");
        let served = r.bytes().await.unwrap();
        assert_eq!(served.as_ref(), std::fs::read(&f).unwrap(), "{rel}");
    }
    let (_, cp) = app.get_json("/api/v1/checkpoint").await;
    assert_eq!(cp["size"], 602);
    assert_eq!(
        cp["note"].as_str().unwrap().as_bytes(),
        std::fs::read(out.path().join("log/checkpoint")).unwrap()
    );
    // Beyond the tree: 404; a non-canonical spelling: 400.
    for (path, status) in [
        ("/log/tile/0/002", 404),
        ("/log/tile/0/002.p/91", 404),
        ("/log/tile/entries/003.p/1", 404),
        ("/log/tile/1/000", 404),
        ("/log/tile/0/2", 400),
        ("/log/tile/0/002.p/256", 400),
        ("/log/tile/0/x000/002.p/90", 400),
    ] {
        assert_eq!(app.get(path).await.status(), status, "{path}");
    }
    // A partial tile an older checkpoint named stays served.
    assert_eq!(app.get("/log/tile/0/002.p/5").await.status(), 200);
}

async fn every_response_carries_security_headers_a_request_id_and_open_cors_for_get() {
    let app = spawn_app().await;
    for path in ["/healthz", "/api/v1/entries/12345", "/log/checkpoint"] {
        let r = app
            .client
            .get(app.url(path))
            .header("origin", "https://example.org")
            .send()
            .await
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.contains_key("referrer-policy"));
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        assert!(h.contains_key("x-request-id"));
        assert_eq!(h["access-control-allow-origin"], "*");
    }
    // A client's own request id is kept.
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
}

async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let service = Arc::new(
        sunshine_ledger::append::service::LedgerService::open(
            app.ledger.store().clone(),
            sunshine_ledger::ledger::SecretKey::from_seed([1; 32]),
        )
        .await
        .unwrap(),
    );
    let (state, _) = AppState::new(service, test_config()).await.unwrap();
    let routes = api::route_table(&state);
    assert!(routes.len() >= 13);
    for (method, path) in routes {
        let documented = path.replace("{*", "{");
        let op = &doc["paths"][&documented][method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
        assert!(
            op["summary"].is_string() || op["description"].is_string(),
            "{method} {path} has no description"
        );
    }
}

async fn the_router_answers_in_process_without_a_socket() {
    let app = spawn_app().await;
    let service = Arc::new(
        sunshine_ledger::append::service::LedgerService::open(
            app.ledger.store().clone(),
            sunshine_ledger::ledger::SecretKey::from_seed([1; 32]),
        )
        .await
        .unwrap(),
    );
    let (state, _) = AppState::new(service, test_config()).await.unwrap();
    let response = api::app(state)
        .oneshot(
            Request::post("/api/v1/submissions")
                .header("content-type", "application/json")
                .body(Body::from(
                    serde_json::to_vec(&app.ledger.filler(1)).unwrap(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(app.ledger.store().size().await.unwrap(), 3);
}

/// The OpenAPI schema of each proof route names exactly the members the route serves.
#[tokio::test]
async fn proof_schemas_in_the_openapi_document_match_the_served_documents() {
    let app = spawn_app().await;
    app.ledger.fill(20, 10).await;
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    for (path, query, schema) in [
        ("/api/v1/proof/inclusion", "?seq=3", "InclusionProof"),
        (
            "/api/v1/proof/consistency",
            "?from=2&to=12",
            "ConsistencyProof",
        ),
    ] {
        let answer = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"];
        assert_eq!(
            answer,
            &Value::from(format!("#/components/schemas/{schema}")),
            "{path}"
        );
        let declared = &doc["components"]["schemas"][schema];
        let mut properties: Vec<&String> =
            declared["properties"].as_object().unwrap().keys().collect();
        let mut required: Vec<&str> = declared["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let (status, served) = app.get_json(&format!("{path}{query}")).await;
        assert_eq!(status, 200, "{served}");
        let mut members: Vec<&String> = served.as_object().unwrap().keys().collect();
        properties.sort();
        members.sort();
        required.sort();
        assert_eq!(properties, members, "{schema}");
        assert_eq!(
            required,
            members.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "{schema}"
        );
        // Hashes are declared as strings, as they are served.
        assert_eq!(declared["properties"]["proof"]["items"]["type"], "string");
    }
    assert_eq!(
        doc["components"]["schemas"]["Receipt"]["properties"]["inclusion"]["$ref"],
        "#/components/schemas/InclusionProof"
    );
}

on_both_backends!(
    entries_are_served_with_their_exact_leaf_bytes_by_seq_hash_and_range,
    proofs_verify_against_signed_checkpoints,
    numbers_past_2_63_answer_not_found_not_a_server_error,
    the_live_log_layout_equals_the_static_export_byte_for_byte,
    every_response_carries_security_headers_a_request_id_and_open_cors_for_get,
    the_openapi_document_describes_every_route,
    the_router_answers_in_process_without_a_socket,
);
