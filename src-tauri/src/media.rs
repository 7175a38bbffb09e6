//! Recording audio for the webview, over loopback HTTP. WebKitGTK hands media URLs to
//! GStreamer, which cannot read custom URI schemes (WebKit bug 146351, Tauri #3725), so
//! `<audio>` gets an `http://127.0.0.1` URL served with Range support. A random path
//! prefix, unknown outside this process, keeps other local programs out, and nothing
//! but recording audio is served there.

use std::future::IntoFuture;
use std::sync::Arc;

use axum::Router;
use callboard_core::Service;

pub struct MediaServer {
    base: String,
}

impl MediaServer {
    /// Listens on a free loopback port until the service shuts down.
    pub async fn start(service: Arc<Service>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let token = format!("{:032x}", rand::random::<u128>());
        let app = Router::new().nest(
            &format!("/{token}"),
            callboard_server::recordings_router(service.clone()),
        );
        let app = callboard_server::with_host_check(app, addr);
        let serve = axum::serve(callboard_server::no_delay(listener), app)
            .with_graceful_shutdown(service.closed());
        tokio::spawn(async move {
            if let Err(e) = serve.into_future().await {
                tracing::error!(error = %e, "recording server stopped");
            }
        });
        Ok(Self {
            base: format!("http://{addr}/{token}"),
        })
    }

    pub fn recording_url(&self, id: i64, index: u32) -> String {
        format!("{}/api/calls/{id}/recording/{index}", self.base)
    }
}
