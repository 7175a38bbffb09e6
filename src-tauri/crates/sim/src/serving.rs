//! What every provider's simulator shares to serve HTTP: binding, the dialable base URL,
//! serving in the background, and a graceful stop (on `shutdown`, or when dropped).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A bound socket, before its router is built: the router's state needs the base URL.
pub(crate) struct Bound {
    listener: TcpListener,
    pub addr: SocketAddr,
    /// `"http://127.0.0.1:PORT"`.
    pub base_url: String,
}

impl Bound {
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok(Self {
            listener,
            addr,
            base_url: base_url_for(addr),
        })
    }

    /// Serves `app` in the background on the current runtime, with each request's peer
    /// address at hand (the Beeline simulator authorizes by address).
    pub fn serve(self, app: Router, name: &'static str, seed: u64) -> Serving {
        let (stop, stopped) = oneshot::channel::<()>();
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            axum::serve(self.listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(addr = %self.addr, seed, "{name} simulator listening");
        Serving {
            addr: self.addr,
            name,
            stop: Some(stop),
            task: Some(task),
        }
    }
}

/// A simulator's server running in the background; dropping it stops the server, and
/// [`Serving::shutdown`] also waits until the port is released.
#[derive(Debug)]
pub(crate) struct Serving {
    addr: SocketAddr,
    name: &'static str,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Serving {
    /// The bound address (the real port when the bind asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight requests finish and waits for the task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(Err(e)) => tracing::warn!(error = %e, "{} simulator server error", self.name),
                Err(e) => tracing::warn!(error = %e, "{} simulator task failed", self.name),
                Ok(Ok(())) => {}
            }
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Links must be dialable, so an unspecified bind address is shown as loopback.
fn base_url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}
