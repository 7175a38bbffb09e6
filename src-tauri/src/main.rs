//! The callboard desktop app: a thin Tauri shell over the core service.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod media;

use callboard_launch::{LaunchOptions, launch, prepare};
use clap::Parser;
use tauri::{Emitter, Manager};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "callboard: calls and recordings of five telephony providers"
)]
struct Args {
    #[command(flatten)]
    launch: LaunchOptions,
}

/// The event name the UI listens on.
const EVENT: &str = "callboard://event";

fn main() {
    let args = Args::parse();
    let prepared = match prepare(&args.launch) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("callboard cannot start: {e}");
            std::process::exit(2);
        }
    };
    // Nobody sees a desktop app's stderr: the log also goes to files in the data dir.
    callboard_launch::init_logging(Some(&prepared.log_dir()));
    tracing::info!(data_dir = %prepared.data_dir().display(), "callboard starting");
    let launched = match tauri::async_runtime::block_on(launch(prepared)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("callboard cannot start: {e}");
            std::process::exit(2);
        }
    };
    let service = launched.service.clone();
    let media = match tauri::async_runtime::block_on(media::MediaServer::start(service.clone())) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("callboard cannot serve recordings on loopback: {e}");
            std::process::exit(2);
        }
    };

    let result = tauri::Builder::default()
        .manage(commands::Backend {
            service: service.clone(),
            media,
            _launched: launched,
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_calls,
            commands::get_call,
            commands::recording_parts,
            commands::recording_url,
            commands::account_statuses,
        ])
        .setup(move |app| {
            if service.info().demo
                && let Some(w) = app.get_webview_window("main")
            {
                w.set_title("callboard — demo")?;
            }
            let handle = app.handle().clone();
            let mut events = service.subscribe();
            tauri::async_runtime::spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(e) => {
                            let _ = handle.emit(EVENT, e);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    }
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("callboard window failed: {e}");
        std::process::exit(1);
    }
}
