//! A service with a listener in front of it, on loopback, for the listener's tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use callboard_core::config::ListenerConfig;
use callboard_core::{Config, Service, ServiceOptions};
use callboard_listener::Listener;
use callboard_model::{CallQuery, LiveCall};

/// MTT (any source allowed), Beeline (found by source address on `/`, or by its path),
/// SpRecord. No account syncs: only the listener brings calls.
pub const ACCOUNTS: &str = r#"
[[accounts]]
id = "mtt"
provider = "mtt"
name = "MTT"
[accounts.credentials]
login = "110011256"
password = { env = "CALLBOARD_TEST_NEVER_SET" }
[accounts.mtt]
customer_name = "110011256"
[accounts.listener]
allow_from = []

[[accounts]]
id = "beeline"
provider = "beeline"
name = "Beeline"
[accounts.listener]
allow_from = ["127.0.0.1"]

[[accounts]]
id = "rec"
provider = "sprecord"
name = "Recorder"
[accounts.hosts]
device = "http://127.0.0.1:9"
"#;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub service: Arc<Service>,
    pub listener: Listener,
    pub http: reqwest::Client,
}

impl Env {
    pub async fn start(accounts: &str) -> Self {
        Self::start_with(accounts, |_| {}).await
    }

    /// With the listener's config adjusted by `tune` before it starts.
    pub async fn start_with(accounts: &str, tune: impl FnOnce(&mut ListenerConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse(accounts, "test").unwrap();
        let mut lc = ListenerConfig::plain("127.0.0.1:0".parse().unwrap());
        tune(&mut lc);
        let accounts = config.accounts.clone();
        let service = Service::start(
            config,
            ServiceOptions {
                autosync: false,
                ..ServiceOptions::new(dir.path().into(), false)
            },
        )
        .await
        .unwrap();
        let listener = Listener::start(&lc, &accounts, dir.path(), service.clone())
            .await
            .unwrap();
        Self {
            dir,
            service,
            listener,
            http: reqwest::Client::new(),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener.addr
    }

    /// The account's webhook URL whose purpose starts with `what`.
    pub fn url(&self, account: &str, what: &str) -> String {
        self.listener
            .hooks
            .iter()
            .find(|h| h.account == account)
            .and_then(|h| h.urls.iter().find(|(w, _)| w.starts_with(what)))
            .map(|(_, u)| u.clone())
            .unwrap_or_else(|| panic!("no {what} URL for {account}: {:?}", self.listener.hooks))
    }

    pub async fn post(
        &self,
        url: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (u16, String) {
        let r = self
            .http
            .post(url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub fn live(&self, key_prefix: &str) -> Vec<LiveCall> {
        self.service
            .live_calls()
            .into_iter()
            .filter(|c| c.key.starts_with(key_prefix))
            .collect()
    }

    pub async fn history(&self, account: &str) -> Vec<callboard_model::Call> {
        self.service
            .list_calls(CallQuery {
                account: Some(account.into()),
                ..Default::default()
            })
            .await
            .unwrap()
            .items
    }

    /// Waits until `f` holds, re-checking on each event the service sends: work the
    /// listener does after answering (a routed call's arrival) lands a moment later. The
    /// bound only keeps a broken build from hanging.
    pub async fn eventually(&self, what: &str, mut f: impl FnMut(&Self) -> bool) {
        let mut events = self.service.subscribe();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while !f(self) {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(_) => {}
                Err(_) => panic!("never: {what}"),
            }
        }
    }
}
