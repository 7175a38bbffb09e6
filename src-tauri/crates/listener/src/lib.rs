//! callboard's webhook listener: providers' live events and routing requests, on a
//! socket of its own (it faces the internet; the UI's API never does), in the desktop
//! app and in `callboard-server` alike.
//!
//! Paths carry the provider, the account and the account's token:
//! `/mtt/<account>/<token>/route` (MTT's call-control URL), `/events` (the `event_URL`
//! each routing answer names), `/callback`, `/voice`, `/ivr`; `/beeline/<account>/<token>`
//! (or `/`, for a Beeline that is given only host and port); `/sprecord/<account>/<token>`.
//! Each request is authenticated as its account's config says (see [`auth`]), its body
//! read within limits, parsed by its provider's module, stored, and only then answered.

pub mod auth;
mod beeline;
mod hooks;
mod mtt;
mod refusals;
mod serve;
mod sprecord;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use callboard_core::Service;
use callboard_core::config::{AccountConfig, ListenerConfig};
use callboard_model::ProviderKind;
use tokio::sync::watch;
use url::Url;

pub use hooks::hook_url;
pub use serve::ConnInfo;

#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    #[error("listener: cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("listener TLS: {0}")]
    Tls(String),
    #[error("listener key: {0}")]
    Key(std::io::Error),
    #[error("account {account:?}: {problem}")]
    Account { account: String, problem: String },
}

/// A running listener.
pub struct Listener {
    /// The address it is bound to (the port chosen when `bind` said 0).
    pub addr: SocketAddr,
    /// Where providers reach it.
    pub public_url: Url,
    /// Every account's webhook URLs, for the UI and the README's "where to point".
    pub hooks: Vec<HookUrls>,
    shutdown: watch::Sender<bool>,
}

/// The URLs to enter in one account's provider settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookUrls {
    pub account: String,
    pub provider: ProviderKind,
    /// (what it is for, the URL), e.g. ("call-control URL (updateCallControlURL)", …).
    pub urls: Vec<(String, String)>,
}

impl Listener {
    /// Binds `config.bind` and serves the webhooks of `accounts` until [`Listener::stop`].
    /// The install's key (for the default tokens) lives in `data_dir`.
    pub async fn start(
        config: &ListenerConfig,
        accounts: &[AccountConfig],
        data_dir: &Path,
        service: Arc<Service>,
    ) -> Result<Self, ListenerError> {
        let key = auth::listener_key(data_dir).map_err(ListenerError::Key)?;
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => {
                Some(serve::tls_acceptor(cert, key, config.client_ca.as_deref())?)
            }
            _ => None,
        };
        let socket = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| ListenerError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = socket.local_addr().map_err(|source| ListenerError::Bind {
            addr: config.bind,
            source,
        })?;
        let public_url = config.public_url.clone().unwrap_or_else(|| {
            let scheme = if tls.is_some() { "https" } else { "http" };
            Url::parse(&format!("{scheme}://{addr}")).expect("a socket address makes a URL")
        });

        let mut auths = HashMap::new();
        let mut sprecord = HashMap::new();
        for a in accounts {
            let auth = auth::AccountAuth::resolve(a, &key);
            if let Some(why) = &auth.broken {
                tracing::error!(account = %a.id, problem = %why, "listener: the account's webhooks are refused until fixed");
            }
            if a.provider == ProviderKind::Sprecord {
                let settings =
                    callboard_providers::sprecord::SpRecordSection::read(a.section.as_ref())
                        .map_err(|problem| ListenerError::Account {
                            account: a.id.clone(),
                            problem,
                        })?;
                sprecord.insert(a.id.clone(), settings);
            }
            auths.insert(a.id.clone(), auth);
        }
        let hooks = accounts
            .iter()
            .map(|a| hook_urls(&public_url, a, &auths[&a.id].token))
            .collect();

        let shared = Arc::new(hooks::Shared {
            refusals: refusals::Refusals::start(service.clone()),
            service,
            accounts: auths,
            trusted_proxies: config.trusted_proxies.clone(),
            max_body: config.max_body_kb as usize * 1024,
            body_timeout: Duration::from_secs(config.body_timeout_secs),
            public_url: public_url.clone(),
            sprecord,
        });
        let limits = serve::SocketLimits {
            header_timeout: Duration::from_secs(config.header_timeout_secs),
            max_connections: config.max_connections,
        };
        let (shutdown, stop) = watch::channel(false);
        tokio::spawn(serve::serve(
            socket,
            tls,
            limits,
            hooks::routes(shared),
            stop,
        ));
        tracing::info!(%addr, public = %public_url, "listener: serving webhooks");
        Ok(Self {
            addr,
            public_url,
            hooks,
            shutdown,
        })
    }

    /// Stops accepting connections (those open finish their request).
    pub fn stop(&self) {
        self.shutdown.send_replace(true);
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What to enter where, per provider.
fn hook_urls(public: &Url, a: &AccountConfig, token: &str) -> HookUrls {
    let url = |kind: Option<&str>| hook_url(public, a.provider, &a.id, token, kind);
    let urls = match a.provider {
        ProviderKind::Mtt => {
            // MTT takes the Basic credentials in the URL's userinfo (spec L1699).
            let route = match &a.listener.basic_login {
                Some(login) => {
                    let mut u = Url::parse(&url(Some("route"))).expect("a valid URL");
                    let _ = u.set_username(login);
                    let _ = u.set_password(Some("<basic_password>"));
                    u.to_string()
                }
                None => url(Some("route")),
            };
            vec![
                ("call-control URL (updateCallControlURL)".to_owned(), route),
                (
                    "call events (sent as event_URL in each answer)".to_owned(),
                    url(Some("events")),
                ),
                ("callback events".to_owned(), url(Some("callback"))),
                ("voice-notification events".to_owned(), url(Some("voice"))),
                ("IVR events".to_owned(), url(Some("ivr"))),
            ]
        }
        ProviderKind::Beeline => {
            vec![("callStatus and AgentRequest address".to_owned(), url(None))]
        }
        ProviderKind::Sprecord => vec![("device API address (Program tab)".to_owned(), url(None))],
        ProviderKind::Mts | ProviderKind::Mor => Vec::new(),
    };
    HookUrls {
        account: a.id.clone(),
        provider: a.provider,
        urls,
    }
}
