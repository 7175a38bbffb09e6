//! The webhook listener's part of the config: its own socket (it faces the internet; the
//! UI's API never does), TLS or the reverse proxies in front of it, its limits, and per
//! account how the provider's requests are authenticated.
//!
//! ```toml
//! [listener]
//! bind = "0.0.0.0:8443"
//! public_url = "https://calls.example.ru:8443"   # what providers are told to call
//! tls_cert = "/etc/callboard/fullchain.pem"      # serve HTTPS (rustls); or, behind a
//! tls_key = "/etc/callboard/privkey.pem"         #   proxy, leave both out and set:
//! trusted_proxies = ["127.0.0.1"]                # whose X-Forwarded-For is believed
//!
//! [accounts.listener]                            # per account, all optional
//! token = { env = "CALLBOARD_MTT_HOOK_TOKEN" }   # default: derived from listener.key
//! basic_login = "mtt"                            # HTTP Basic the provider must send
//! basic_password = { env = "CALLBOARD_MTT_HOOK_PASSWORD" }
//! allow_from = ["80.75.132.186"]                 # source addresses (default per provider)
//! client_cert_sha256 = ["3f:1a:…"]               # Beeline: client certificates (mTLS)
//! ```

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use ipnet::IpNet;
use serde::Deserialize;
use url::Url;

use super::SecretSource;

/// `[listener]`: where and how the webhook listener serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    /// The listener's own socket (never the UI's).
    pub bind: SocketAddr,
    /// The base URL providers reach the listener at (behind NAT or a proxy it differs
    /// from `bind`); default `http(s)://<bind>`.
    pub public_url: Option<Url>,
    /// Serve HTTPS with this certificate chain and key (PEM).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Ask clients for certificates signed by these CAs (PEM), for providers that
    /// authenticate by client certificate (Beeline, spec 1.5). Clients without one are
    /// still served; an account that pins certificates then refuses them.
    pub client_ca: Option<PathBuf>,
    /// Peers whose `X-Forwarded-For` is believed (a reverse proxy); addresses or nets.
    #[serde(default, deserialize_with = "nets")]
    pub trusted_proxies: Vec<IpNet>,
    /// Largest request body, in KiB.
    #[serde(default = "default_body_kb")]
    pub max_body_kb: u32,
    /// How long a client may take to send a request's headers, and then its body: a slow
    /// client cannot hold a connection.
    #[serde(default = "default_timeout")]
    pub header_timeout_secs: u64,
    #[serde(default = "default_timeout")]
    pub body_timeout_secs: u64,
    /// Most connections served at once; past it new ones are closed at once.
    #[serde(default = "default_connections")]
    pub max_connections: usize,
}

fn default_body_kb() -> u32 {
    64
}
fn default_timeout() -> u64 {
    10
}
fn default_connections() -> usize {
    256
}

impl ListenerConfig {
    /// A listener on `bind` with every default: plain HTTP, no proxies.
    pub fn plain(bind: SocketAddr) -> Self {
        Self {
            bind,
            public_url: None,
            tls_cert: None,
            tls_key: None,
            client_ca: None,
            trusted_proxies: Vec::new(),
            max_body_kb: default_body_kb(),
            header_timeout_secs: default_timeout(),
            body_timeout_secs: default_timeout(),
            max_connections: default_connections(),
        }
    }

    /// Whether the listener serves HTTPS itself.
    pub fn tls(&self) -> bool {
        self.tls_cert.is_some()
    }

    pub(super) fn validate(&self) -> Result<(), String> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("tls_cert and tls_key go together".into());
        }
        if self.client_ca.is_some() && !self.tls() {
            return Err(
                "client_ca needs tls_cert and tls_key (client certificates are TLS)".into(),
            );
        }
        if self.max_body_kb == 0 || self.max_connections == 0 {
            return Err("max_body_kb and max_connections must be at least 1".into());
        }
        if self.header_timeout_secs == 0 || self.body_timeout_secs == 0 {
            return Err("header_timeout_secs and body_timeout_secs must be at least 1".into());
        }
        if let Some(u) = &self.public_url
            && !matches!(u.scheme(), "http" | "https")
        {
            return Err(format!("public_url {u}: must be http or https"));
        }
        Ok(())
    }
}

/// `[accounts.listener]`: how this account's webhook requests are authenticated.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountListener {
    /// The token in the account's webhook paths; default: derived from the install's
    /// `listener.key` (see the listener crate), so it is unguessable without a setting.
    pub token: Option<SecretSource>,
    /// HTTP Basic credentials the provider must send (MTT sends the `login:password@` of
    /// the URL it was given).
    pub basic_login: Option<String>,
    pub basic_password: Option<SecretSource>,
    /// Source addresses or nets the provider's requests must come from. `None`: the
    /// provider's documented default (MTT routing requests: 80.75.132.186); `[]`: any.
    #[serde(default, deserialize_with = "some_nets")]
    pub allow_from: Option<Vec<IpNet>>,
    /// SHA-256 fingerprints (hex, `:` optional) of the client certificates the provider
    /// presents; any other client is refused.
    #[serde(default)]
    pub client_cert_sha256: Vec<String>,
}

impl AccountListener {
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.basic_login.is_some() != self.basic_password.is_some() {
            return Err("[accounts.listener] basic_login and basic_password go together".into());
        }
        for f in &self.client_cert_sha256 {
            if fingerprint(f).is_none() {
                return Err(format!(
                    "[accounts.listener] client_cert_sha256 {f:?}: not 64 hex digits"
                ));
            }
        }
        Ok(())
    }

    /// The pinned client certificate fingerprints, as bytes.
    pub fn client_certs(&self) -> Vec<[u8; 32]> {
        self.client_cert_sha256
            .iter()
            .filter_map(|f| fingerprint(f))
            .collect()
    }
}

/// Addresses (`80.75.132.186`) or nets (`10.0.0.0/8`), as written in the config.
fn nets<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            let s = s.trim();
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "{s:?} is neither an address (a.b.c.d) nor a net (a.b.c.d/n)"
                    ))
                })
        })
        .collect()
}

fn some_nets<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<IpNet>>, D::Error> {
    nets(d).map(Some)
}

/// `3f:1a:…` or `3f1a…` as 32 bytes.
fn fingerprint(text: &str) -> Option<[u8; 32]> {
    let hex: String = text.chars().filter(|c| *c != ':').collect();
    let bytes = hex::decode(hex).ok()?;
    bytes.try_into().ok()
}

/// Whether `ip` is in any of `nets`.
pub fn allowed(nets: &[IpNet], ip: IpAddr) -> bool {
    // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    nets.iter().any(|n| n.contains(&ip))
}
