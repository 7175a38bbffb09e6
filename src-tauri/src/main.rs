//! The callboard desktop app: a thin Tauri shell over the core service.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod desktop;
mod media;

use callboard_launch::{LaunchError, LaunchOptions, launch, prepare, prepare_broken};
use callboard_model::Event;
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
        // A desktop user sees no stderr: open the window anyway and say there what to fix.
        Err(LaunchError::Config(e)) => {
            eprintln!("callboard: the config cannot be used: {e}");
            prepare_broken(&args.launch, e)
        }
        Err(e) => {
            eprintln!("callboard cannot start: {e}");
            std::process::exit(2);
        }
    };
    // Nobody sees a desktop app's stderr: the log also goes to files in the data dir.
    callboard_launch::init_logging(Some(&prepared.log_dir()));
    tracing::info!(data_dir = %prepared.data_dir().display(), "callboard starting");
    if let Some(e) = prepared.startup_error() {
        tracing::error!(error = %e.message, "starting without accounts");
    }
    let prepared_data_dir = prepared.data_dir().to_owned();
    let launched = match tauri::async_runtime::block_on(launch(prepared)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("callboard cannot start: {e}");
            std::process::exit(2);
        }
    };
    let service = launched.service.clone();
    let data_dir = prepared_data_dir;
    let media = match tauri::async_runtime::block_on(media::MediaServer::start(service.clone())) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("callboard cannot serve recordings on loopback: {e}");
            std::process::exit(2);
        }
    };

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(commands::Backend {
            service: service.clone(),
            media,
            _launched: launched,
        })
        .invoke_handler(commands::invoke_handler())
        .setup(move |app| {
            if service.info().demo
                && let Some(w) = app.get_webview_window("main")
            {
                w.set_title("callboard — demo")?;
            }
            app.manage(desktop::Desktop::start(
                app.handle(),
                service.clone(),
                data_dir.clone(),
            ));
            let handle = app.handle().clone();
            let mut events = service.subscribe();
            tauri::async_runtime::spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(e) => {
                            let _ = handle.emit(EVENT, e);
                        }
                        // Fell behind: the window is told to re-read what it shows.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                            let _ = handle.emit(EVENT, Event::Resync { missed });
                        }
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

#[cfg(test)]
mod tests {
    /// The window's permissions as tauri-build compiled them into the binary. Without
    /// them every core command is refused, `event.listen` among them, and the window
    /// never hears a live event (the window lost its stream on every start this way).
    #[test]
    fn the_main_window_may_listen_to_events() {
        let compiled = include_str!(concat!(env!("OUT_DIR"), "/capabilities.json"));
        let caps: serde_json::Value = serde_json::from_str(compiled).unwrap();
        let listed = |c: &serde_json::Value, key: &str, any: &[&str]| {
            c[key]
                .as_array()
                .is_some_and(|v| v.iter().any(|x| any.iter().any(|a| x == a)))
        };
        let granted = caps.as_object().into_iter().flatten().any(|(_, c)| {
            listed(c, "windows", &["main", "*"])
                && listed(
                    c,
                    "permissions",
                    &[
                        "core:default",
                        "core:event:default",
                        "core:event:allow-listen",
                    ],
                )
        });
        assert!(
            granted,
            "no capability lets the main window listen: {compiled}"
        );
    }
}
