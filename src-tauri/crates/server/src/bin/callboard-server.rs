//! `callboard-server`: the backend without a window, serving the UI to a browser.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use callboard_launch::{LaunchOptions, launch, prepare};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "callboard headless: the call dashboard served over HTTP"
)]
struct Args {
    #[command(flatten)]
    launch: LaunchOptions,
    /// Address to listen on.
    #[arg(long, env = "CALLBOARD_BIND", default_value = "127.0.0.1:8787")]
    bind: SocketAddr,
    /// The built UI (`ui/dist`).
    #[arg(long, env = "CALLBOARD_UI_DIR")]
    ui_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A headless service logs to stderr, for journald or whatever runs it.
    callboard_launch::init_logging(None);
    let args = Args::parse();
    let ui_dir = args.ui_dir.or_else(find_ui_dir);
    if ui_dir.is_none() {
        tracing::warn!("no built UI found (run `npm run build` in ui/); serving the API only");
    }
    let launched = launch(prepare(&args.launch)?).await?;
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let addr = listener.local_addr()?;
    if addr.ip().is_unspecified() {
        tracing::warn!("listening on every interface: anyone who reaches {addr} sees the calls");
    }
    let app = callboard_server::router(launched.service.clone(), ui_dir);
    let app = callboard_server::with_host_check(app, addr);
    let mode = if launched.service.info().demo {
        " (demo)"
    } else {
        ""
    };
    println!("callboard-server listening on http://{addr}{mode}");
    axum::serve(callboard_server::no_delay(listener), app)
        .with_graceful_shutdown({
            let service = launched.service.clone();
            async move {
                let _ = tokio::signal::ctrl_c().await;
                // Ends the event streams too, which graceful shutdown would wait on.
                service.shutdown();
            }
        })
        .await?;
    launched.shutdown().await;
    Ok(())
}

/// `ui/dist` under the working directory, or beside the workspace this binary was built in.
fn find_ui_dir() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from("ui/dist"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/dist"),
    ];
    candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file())
}
