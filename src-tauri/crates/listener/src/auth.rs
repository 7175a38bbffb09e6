//! Who may call an account's webhooks: the token in its paths, HTTP Basic, source
//! addresses and client certificates, each as the account's config sets them (every
//! one configured must pass). Secrets are resolved once, at start.

use std::net::IpAddr;
use std::path::Path;

use base64::Engine;
use callboard_core::config::{AccountConfig, ResolveSecret, allowed};
use callboard_model::ProviderKind;
use hmac::{Hmac, Mac};
use ipnet::IpNet;
use secrecy::ExposeSecret;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// MTT sends its routing requests from this address (spec L1604).
const MTT_ROUTING_SOURCE: &str = "80.75.132.186/32";

/// Refused alike, so that a stranger cannot tell which accounts exist.
pub const UNKNOWN: &str = "unknown account or token";

/// One account's webhook credentials, resolved.
pub struct AccountAuth {
    pub id: String,
    pub provider: ProviderKind,
    /// The token in the account's paths.
    pub token: String,
    basic: Option<(String, String)>,
    /// `None`: the provider's default applies (see [`AccountAuth::sources_for`]).
    allow_from: Option<Vec<IpNet>>,
    client_certs: Vec<[u8; 32]>,
    /// Why the account's requests cannot be checked (a secret that did not resolve).
    pub broken: Option<String>,
}

/// What a request brings to be checked.
pub struct Presented<'a> {
    pub token: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub client: IpAddr,
    pub client_cert: Option<&'a [u8; 32]>,
    /// A routing request (MTT's default source allowlist applies to those).
    pub routing: bool,
}

/// Why a request was refused: the status to answer and the reason to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub status: u16,
    pub reason: String,
}

impl Denied {
    pub fn new(status: u16, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }
}

impl AccountAuth {
    /// Resolves `account`'s credentials; the default token is derived from `key`.
    pub fn resolve(account: &AccountConfig, key: &[u8]) -> Self {
        let l = &account.listener;
        let mut broken = None;
        let token = match &l.token {
            Some(source) => match source.resolve(&account.id) {
                Ok(t) => t.expose_secret().to_owned(),
                Err(e) => {
                    broken = Some(e.to_string());
                    String::new()
                }
            },
            None => derived_token(key, &account.id),
        };
        let basic = match (&l.basic_login, &l.basic_password) {
            (Some(login), Some(password)) => match password.resolve(&account.id) {
                Ok(p) => Some((login.clone(), p.expose_secret().to_owned())),
                Err(e) => {
                    broken = Some(e.to_string());
                    None
                }
            },
            _ => None,
        };
        Self {
            id: account.id.clone(),
            provider: account.provider,
            token,
            basic,
            allow_from: l.allow_from.clone(),
            client_certs: l.client_certs(),
            broken,
        }
    }

    /// Source addresses allowed for a request (empty: any).
    fn sources_for(&self, routing: bool) -> Vec<IpNet> {
        match &self.allow_from {
            Some(nets) => nets.clone(),
            None if routing && self.provider == ProviderKind::Mtt => {
                vec![MTT_ROUTING_SOURCE.parse().expect("a valid net")]
            }
            None => Vec::new(),
        }
    }

    /// Whether the account can authenticate a request that carries no token (Beeline
    /// posts to a bare host:port, so its account is found by its other credentials).
    pub fn has_tokenless_auth(&self) -> bool {
        self.basic.is_some()
            || self.allow_from.as_ref().is_some_and(|n| !n.is_empty())
            || !self.client_certs.is_empty()
    }

    /// Checks every credential the account requires.
    pub fn check(&self, p: &Presented<'_>) -> Result<(), Denied> {
        if let Some(why) = &self.broken {
            return Err(Denied::new(
                503,
                format!("account cannot check requests: {why}"),
            ));
        }
        if let Some(token) = p.token
            && !bool::from(token.as_bytes().ct_eq(self.token.as_bytes()))
        {
            return Err(Denied::new(403, UNKNOWN));
        }
        if let Some((login, password)) = &self.basic {
            let ok = p
                .authorization
                .and_then(basic_credentials)
                .is_some_and(|(l, pw)| {
                    bool::from(l.as_bytes().ct_eq(login.as_bytes()))
                        & bool::from(pw.as_bytes().ct_eq(password.as_bytes()))
                });
            if !ok {
                return Err(Denied::new(401, "HTTP Basic credentials missing or wrong"));
            }
        }
        let nets = self.sources_for(p.routing);
        if !nets.is_empty() && !allowed(&nets, p.client) {
            return Err(Denied::new(403, format!("source {} not allowed", p.client)));
        }
        if !self.client_certs.is_empty()
            && !p.client_cert.is_some_and(|c| self.client_certs.contains(c))
        {
            return Err(Denied::new(403, "client certificate missing or not pinned"));
        }
        Ok(())
    }
}

/// `Basic base64(login:password)` → (login, password).
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, b64) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (l, p) = text.split_once(':')?;
    Some((l.to_owned(), p.to_owned()))
}

/// The account's default token: 128 bits of HMAC-SHA256 of its id under the install's
/// key, so it is stable across restarts and unguessable without the key file.
pub fn derived_token(key: &[u8], account: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"callboard webhook token\0");
    mac.update(account.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The install's listener key (`listener.key` in the data dir, 32 random bytes, owner
/// read/write only), created on first use.
pub fn listener_key(data_dir: &Path) -> std::io::Result<Vec<u8>> {
    let path = data_dir.join("listener.key");
    match std::fs::read(&path) {
        Ok(k) if k.len() >= 32 => return Ok(k),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(data_dir)?;
    let key: [u8; 32] = rand::random();
    let tmp = data_dir.join("listener.key.tmp");
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&key)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(key.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(toml_text: &str) -> AccountConfig {
        let c = callboard_core::Config::parse(toml_text, "test").unwrap();
        c.accounts.into_iter().next().unwrap()
    }

    const MTT: &str = "[[accounts]]\nid = \"m\"\nprovider = \"mtt\"\nname = \"M\"\n[accounts.mtt]\ncustomer_name = \"1\"\n";

    fn presented<'a>(token: Option<&'a str>, client: &str, routing: bool) -> Presented<'a> {
        Presented {
            token,
            authorization: None,
            client: client.parse().unwrap(),
            client_cert: None,
            routing,
        }
    }

    #[test]
    fn the_derived_token_is_stable_and_per_account() {
        let key = [7u8; 32];
        assert_eq!(derived_token(&key, "a"), derived_token(&key, "a"));
        assert_ne!(derived_token(&key, "a"), derived_token(&key, "b"));
        assert_ne!(derived_token(&key, "a"), derived_token(&[8u8; 32], "a"));
        assert_eq!(derived_token(&key, "a").len(), 32);
    }

    #[test]
    fn mtt_routing_comes_from_its_address_unless_configured() {
        let a = AccountAuth::resolve(&account(MTT), &[1; 32]);
        let t = a.token.clone();
        assert!(a.check(&presented(Some(&t), "80.75.132.186", true)).is_ok());
        assert_eq!(
            a.check(&presented(Some(&t), "10.0.0.1", true))
                .unwrap_err()
                .status,
            403
        );
        // Events carry no documented source: any.
        assert!(a.check(&presented(Some(&t), "10.0.0.1", false)).is_ok());
        assert_eq!(
            a.check(&presented(Some("x"), "80.75.132.186", true))
                .unwrap_err()
                .status,
            403
        );
        let open = AccountAuth::resolve(
            &account(&format!("{MTT}[accounts.listener]\nallow_from = []\n")),
            &[1; 32],
        );
        let t = open.token.clone();
        assert!(open.check(&presented(Some(&t), "10.0.0.1", true)).is_ok());
        // An IPv4 client seen through a dual-stack socket.
        assert!(
            a.check(&presented(
                Some(&a.token.clone()),
                "::ffff:80.75.132.186",
                true
            ))
            .is_ok()
        );
    }

    #[test]
    fn basic_credentials_are_required_when_set() {
        // SAFETY (test only): this process's tests do not read this variable elsewhere.
        unsafe { std::env::set_var("CALLBOARD_TEST_HOOK_PW", "s3cret") };
        let a = AccountAuth::resolve(
            &account(&format!(
                "{MTT}[accounts.listener]\nbasic_login = \"mtt\"\nbasic_password = {{ env = \"CALLBOARD_TEST_HOOK_PW\" }}\nallow_from = []\n"
            )),
            &[1; 32],
        );
        let t = a.token.clone();
        let with = |auth: Option<&'static str>| Presented {
            authorization: auth,
            ..presented(Some(&t), "1.2.3.4", true)
        };
        assert_eq!(a.check(&with(None)).unwrap_err().status, 401);
        // "mtt:wrong", "mtt:s3cret"
        assert_eq!(
            a.check(&with(Some("Basic bXR0Ondyb25n")))
                .unwrap_err()
                .status,
            401
        );
        assert!(a.check(&with(Some("Basic bXR0OnMzY3JldA=="))).is_ok());
        assert!(a.has_tokenless_auth());
    }

    #[test]
    fn a_pinned_client_certificate_is_required() {
        let fp = "ab".repeat(32);
        let a = AccountAuth::resolve(
            &account(&format!(
                "[[accounts]]\nid = \"b\"\nprovider = \"beeline\"\nname = \"B\"\n[accounts.listener]\nclient_cert_sha256 = [\"{fp}\"]\n"
            )),
            &[1; 32],
        );
        let good = [0xab; 32];
        let bad = [0xac; 32];
        let p = |cert| Presented {
            client_cert: cert,
            ..presented(None, "1.2.3.4", true)
        };
        assert!(a.check(&p(Some(&good))).is_ok());
        assert_eq!(a.check(&p(Some(&bad))).unwrap_err().status, 403);
        assert_eq!(a.check(&p(None)).unwrap_err().status, 403);
    }

    #[test]
    fn the_key_file_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let k1 = listener_key(dir.path()).unwrap();
        let k2 = listener_key(dir.path()).unwrap();
        assert_eq!(k1, k2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("listener.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
