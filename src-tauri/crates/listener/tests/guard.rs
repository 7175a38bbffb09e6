//! What the listener refuses, and that refusing changes nothing: strangers, wrong
//! credentials and addresses, bodies too large or too slow, malformed requests; every
//! refusal logged with its reason and the token masked. HTTPS and client certificates
//! end to end.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{ACCOUNTS, Env};

const FORM: &str = "application/x-www-form-urlencoded";
const END: &str = "msg=2&datetime=2026-12-01+11%3A00%3A00&phone_from=89160000001&channel_hard_name=ch2&call_type=in&duration_sec=5&idr=3003";

/// The refused-requests log, once the refusals written off the request path are in.
async fn refused(env: &Env, n: usize) -> Vec<callboard_model::RefusedRequest> {
    for _ in 0..400 {
        let log = env.service.refused_requests(100, None).await.unwrap();
        if log.len() >= n {
            return log;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("fewer than {n} refusals logged");
}

#[tokio::test]
async fn strangers_and_wrong_credentials_change_nothing() {
    // SAFETY (test only): nothing else in this test binary reads this variable.
    unsafe { std::env::set_var("CALLBOARD_TEST_MTT_HOOK", "pw-1") };
    let accounts = format!(
        "{ACCOUNTS}\n[[accounts]]\nid = \"mtt2\"\nprovider = \"mtt\"\nname = \"MTT 2\"\n\
         [accounts.mtt]\ncustomer_name = \"2\"\n[accounts.listener]\nbasic_login = \"mtt\"\n\
         basic_password = {{ env = \"CALLBOARD_TEST_MTT_HOOK\" }}\n"
    );
    let env = Env::start(&accounts).await;
    let url = env.url("rec", "device");
    let wrong_token = url.replace(
        url.rsplit('/').next().unwrap(),
        "0123456789abcdef0123456789abcdef",
    );
    assert_eq!(env.post(&wrong_token, FORM, END).await.0, 403);
    assert_eq!(
        env.post(&format!("http://{}/nowhere", env.addr()), FORM, END)
            .await
            .0,
        404
    );
    // MTT's routing comes from MTT's one address unless the account says otherwise.
    let route = env
        .url("mtt2", "call-control")
        .replace("mtt:%3Cbasic_password%3E@", "");
    let ask = r#"{"id":"1","jsonrpc":"2.0","method":"getControlCallFollowMe","params":{"sip_id":"74996480000","numberA":"79161234567","h323_conf_id":"X 1"}}"#;
    let r = env
        .http
        .post(&route)
        .basic_auth("mtt", Some("pw-1"))
        .body(ask)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "loopback is not 80.75.132.186");
    // Basic credentials, when set, are required on every route.
    let events = env.url("mtt2", "call events");
    let r = env.http.post(&events).body("{}").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = env
        .http
        .post(&events)
        .basic_auth("mtt", Some("wrong"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A Beeline request at `/` from an address no account names.
    let two_beelines = ACCOUNTS.replace(
        "allow_from = [\"127.0.0.1\"]",
        "allow_from = [\"10.1.2.3\"]",
    );
    let other = Env::start(&two_beelines).await;
    assert_eq!(
        other
            .post(
                &format!("http://{}/", other.addr()),
                "text/xml",
                "<callStatus/>"
            )
            .await
            .0,
        403
    );

    assert!(env.history("rec").await.is_empty());
    assert!(env.service.live_calls().is_empty());
    let log = refused(&env, 5).await;
    assert!(
        log.iter()
            .all(|r| !r.path.contains(url.rsplit('/').next().unwrap())),
        "a token was logged: {log:?}"
    );
    // Refused before its body was read, the body's start is logged all the same.
    assert!(
        log.iter()
            .any(|r| r.status == 403 && r.path.starts_with("/sprecord/rec/…") && r.head == END),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|r| r.status == 403 && r.reason.contains("127.0.0.1")),
        "{log:?}"
    );
}

#[tokio::test]
async fn malformed_bodies_get_a_reason_and_are_logged_with_their_start() {
    let env = Env::start(ACCOUNTS).await;
    let (status, reason) = env
        .post(
            &env.url("mtt", "call events"),
            "application/json",
            "{not json",
        )
        .await;
    assert_eq!(status, 400);
    assert!(reason.contains("malformed JSON"), "{reason}");
    let (status, reason) = env
        .post(&env.url("rec", "device"), FORM, "msg=7&datetime=x")
        .await;
    assert_eq!(status, 400);
    assert!(!reason.is_empty());
    let (status, _) = env
        .post(
            &format!("http://{}/", env.addr()),
            "text/xml",
            "<callStatus request_id=",
        )
        .await;
    assert_eq!(status, 400);
    let log = refused(&env, 3).await;
    assert!(
        log.iter()
            .any(|r| r.head == "{not json" && r.account.as_deref() == Some("mtt")),
        "{log:?}"
    );
    assert!(env.service.live_calls().is_empty());
}

#[tokio::test]
async fn oversized_and_slow_requests_are_cut_off() {
    let env = Env::start_with(ACCOUNTS, |l| {
        l.max_body_kb = 1;
        l.header_timeout_secs = 1;
        l.body_timeout_secs = 1;
    })
    .await;
    let url = env.url("rec", "device");
    let big = format!("{END}&pad={}", "x".repeat(4096));
    assert_eq!(env.post(&url, FORM, big).await.0, 413);

    let path = url
        .trim_start_matches(&format!("http://{}", env.addr()))
        .to_owned();
    let addr = env.addr();
    // Headers that never end: the connection is closed, with no answer.
    let slow_headers = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n").unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).map(|_| buf)
    });
    // A body that stops short of its length: 408.
    let slow_body = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(s, "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\nContent-Length: 500\r\n\r\nmsg=2").unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    let headers = slow_headers
        .await
        .unwrap()
        .expect("closed, not timed out on our side");
    assert!(
        !String::from_utf8_lossy(&headers).contains("200"),
        "{headers:?}"
    );
    let answer = slow_body.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(env.history("rec").await.is_empty());
}

#[tokio::test]
async fn connections_past_the_limit_are_closed() {
    let env = Env::start_with(ACCOUNTS, |l| {
        l.max_connections = 2;
        l.header_timeout_secs = 30;
    })
    .await;
    let addr = env.addr();
    // Two connections that say nothing hold both slots.
    let held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    // The accept loop takes connections in order: once a third is closed on us, the
    // first two were counted.
    let third = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        buf
    })
    .await
    .unwrap();
    assert!(
        third.is_empty(),
        "served past the limit: {:?}",
        String::from_utf8_lossy(&third)
    );
    // The two that hold the slots are served as usual.
    let served = tokio::task::spawn_blocking(move || {
        let mut s = held.into_iter().next().unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut buf = String::new();
        s.read_to_string(&mut buf).unwrap();
        buf
    })
    .await
    .unwrap();
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
    client_pem: String,
    client_key: String,
    client_sha256: String,
}

fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    // Each its own name: a leaf named like its issuer reads as self-signed.
    let params = |names: &[&str], cn: &str| {
        let mut p = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p
    };
    let dir = tempfile::tempdir().unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = params(&[], "callboard test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = params(&["127.0.0.1", "localhost"], "callboard listener")
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = params(&["beeline-spn"], "Beeline SPN")
        .signed_by(&client_key, &ca, &ca_key)
        .unwrap();
    std::fs::write(dir.path().join("server.pem"), server.pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), server_key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    use sha2::Digest;
    Pki {
        client_sha256: hex::encode(sha2::Sha256::digest(client.der())),
        ca_pem: ca.pem(),
        client_pem: client.pem(),
        client_key: client_key.serialize_pem(),
        dir,
    }
}

#[tokio::test]
async fn https_with_a_pinned_client_certificate_works_end_to_end() {
    let pki = pki();
    let accounts = ACCOUNTS.replace(
        "allow_from = [\"127.0.0.1\"]",
        &format!("client_cert_sha256 = [\"{}\"]", pki.client_sha256),
    );
    let (cert, key, ca) = (
        pki.dir.path().join("server.pem"),
        pki.dir.path().join("server.key"),
        pki.dir.path().join("ca.pem"),
    );
    let env = Env::start_with(&accounts, |l| {
        l.tls_cert = Some(cert);
        l.tls_key = Some(key);
        l.client_ca = Some(ca);
    })
    .await;
    let url = env.url("rec", "device");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let root = reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap();
    let https = reqwest::Client::builder()
        .add_root_certificate(root.clone())
        .build()
        .unwrap();
    let r = https
        .post(&url)
        .header("content-type", FORM)
        .body(END)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(env.history("rec").await.len(), 1);
    // Plain HTTP on the TLS port gets nothing.
    assert!(
        reqwest::Client::new()
            .post(url.replace("https", "http"))
            .body(END)
            .send()
            .await
            .is_err()
    );

    // Beeline at `/`: only the pinned certificate is its account.
    let beeline = format!("https://127.0.0.1:{}/", env.addr().port());
    let status = r#"<callStatus request_id="r9" b0_state="CALLING" b1_state="" Reason="" TimeStamp="20261201103000" CallDuration=0 ScriptID="s" HostID="h" SysID="1" AddPar=""/>"#;
    let r = https.post(&beeline).body(status).send().await.unwrap();
    assert_eq!(r.status(), 403, "no certificate, no account");
    let identity =
        reqwest::Identity::from_pkcs8_pem(pki.client_pem.as_bytes(), pki.client_key.as_bytes())
            .unwrap();
    let with_cert = reqwest::Client::builder()
        .add_root_certificate(root)
        .identity(identity)
        .build()
        .unwrap();
    let r = with_cert.post(&beeline).body(status).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(env.live("beeline-req:r9").len(), 1);
}
