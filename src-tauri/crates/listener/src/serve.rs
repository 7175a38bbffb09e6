//! The listener's socket: accepts connections up to a limit, TLS when configured (with
//! client certificates when asked), and serves HTTP/1.1 with a header read timeout, so a
//! slow or silent client cannot hold a connection.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::ListenerError;

/// What the connection a request came on tells about its client.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    pub peer: SocketAddr,
    /// SHA-256 of the client's certificate, when it presented one (TLS only).
    pub client_cert: Option<[u8; 32]>,
    pub tls: bool,
}

/// Limits of the socket.
#[derive(Debug, Clone, Copy)]
pub struct SocketLimits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

/// Builds the TLS acceptor from PEM files; with `client_ca`, clients are asked for a
/// certificate signed by it (and served without one: the account decides).
pub fn tls_acceptor(
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<TlsAcceptor, ListenerError> {
    let tls = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        ListenerError::Tls(format!("{what} {}: {e}", path.display()))
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| tls("certificate", cert, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| tls("certificate", cert, &e))?;
    if chain.is_empty() {
        return Err(tls("certificate", cert, &"no certificate in the file"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| tls("key", key, &e))?;
    // ring rather than aws-lc-rs: no cmake or NASM in the build. Its provider lacks the
    // post-quantum key exchange, which no telephony provider's client offers anyway.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ListenerError::Tls(e.to_string()))?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_file_iter(ca).map_err(|e| tls("client CA", ca, &e))? {
                roots
                    .add(c.map_err(|e| tls("client CA", ca, &e))?)
                    .map_err(|e| tls("client CA", ca, &e))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| tls("client CA", ca, &e))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, key_der)
        .map_err(|e| tls("certificate and key", cert, &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `app` on `listener` until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    limits: SocketLimits,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = async {
                // The guard `wait_for` answers is not `Send`: dropped here, not held.
                let _ = shutdown.wait_for(|s| *s).await;
            } => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "listener: at its connection limit, closing a new connection");
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (app, tls) = (app.clone(), tls.clone());
        tokio::spawn(async move {
            let _slot = slot;
            match tls {
                None => {
                    let info = ConnInfo {
                        peer,
                        client_cert: None,
                        tls: false,
                    };
                    serve_connection(TokioIo::new(tcp), info, app, limits).await;
                }
                Some(acceptor) => {
                    // The handshake is bounded like the headers are.
                    let stream = match tokio::time::timeout(
                        limits.header_timeout,
                        acceptor.accept(tcp),
                    )
                    .await
                    {
                        Ok(Ok(s)) => s,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "listener: TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    let client_cert = stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .map(|c| Sha256::digest(c.as_ref()).into());
                    let info = ConnInfo {
                        peer,
                        client_cert,
                        tls: true,
                    };
                    serve_connection(TokioIo::new(stream), info, app, limits).await;
                }
            }
        });
    }
}

async fn serve_connection<I>(io: TokioIo<I>, info: ConnInfo, app: Router, limits: SocketLimits)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let peer = info.peer;
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(info.clone());
            tower::ServiceExt::oneshot(app.clone(), req)
        });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        // Also bounds the wait for the next request on a kept-alive connection.
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    if let Err(e) = conn.await {
        tracing::debug!(%peer, error = %e, "listener: connection ended with an error");
    }
}
