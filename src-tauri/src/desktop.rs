//! What the desktop adds to the window: a tray icon with the count of missed calls not yet
//! called back, and a notification for each incoming call (who calls, how often before,
//! how the last call went), whose click shows that caller's calls. Notifications can be
//! turned off; without a notification daemon they are "unavailable", not an error.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use callboard_core::Service;
use callboard_model::{CallerSummary, Direction, Event, LiveCall, LiveState, Outcome};
use serde::{Deserialize, Serialize};
use tauri::menu::{MenuBuilder, MenuItemBuilder};
use tauri::tray::{TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager};

use crate::EVENT;

/// What the desktop shows besides the window, for the UI (and the desktop test).
#[derive(Debug, Clone, Serialize)]
pub struct DesktopStatus {
    /// The tray icon's label and tooltip, as set.
    pub tray_label: String,
    pub tray_tooltip: String,
    pub missed: u32,
    pub notifications: bool,
    /// `None` until one was tried; `false` when the system has no notification daemon.
    pub notifications_available: Option<bool>,
    /// Notifications shown since start.
    pub notified: u32,
}

/// Settings kept in the data dir (`desktop.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Prefs {
    notifications: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            notifications: true,
        }
    }
}

pub struct Desktop {
    tray: Option<TrayIcon>,
    prefs_file: PathBuf,
    prefs: Mutex<Prefs>,
    available: Mutex<Option<bool>>,
    missed: AtomicU32,
    notified: AtomicU32,
    labels: Mutex<(String, String)>,
    /// Calls already notified (their key), the newest last; bounded.
    seen: Mutex<VecDeque<String>>,
}

/// How many notified call keys are remembered (a call's later events must not notify).
const SEEN_KEPT: usize = 500;

impl Desktop {
    /// Sets up the tray and starts following the service's events.
    pub fn start(app: &AppHandle, service: Arc<Service>, data_dir: PathBuf) -> Arc<Self> {
        let prefs_file = data_dir.join("desktop.json");
        let prefs = std::fs::read(&prefs_file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let tray = match tray(app) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!(error = %e, "no tray icon");
                None
            }
        };
        let desktop = Arc::new(Self {
            tray,
            prefs_file,
            prefs: Mutex::new(prefs),
            available: Mutex::new(None),
            missed: AtomicU32::new(0),
            notified: AtomicU32::new(0),
            labels: Mutex::default(),
            seen: Mutex::default(),
        });
        let (d, app, svc) = (desktop.clone(), app.clone(), service.clone());
        tauri::async_runtime::spawn(async move {
            match svc.missed_queue(0).await {
                Ok(q) => d.set_missed(q.total),
                Err(e) => tracing::warn!(error = %e, "missed queue not read"),
            }
            let mut events = svc.subscribe();
            loop {
                match events.recv().await {
                    Ok(Event::MissedQueue { waiting }) => d.set_missed(waiting),
                    Ok(Event::LiveCall { call }) => {
                        // Its own task: a slow notification daemon holds up no other event.
                        let (d, app, svc) = (d.clone(), app.clone(), svc.clone());
                        tauri::async_runtime::spawn(async move {
                            d.on_call(&app, &svc, &call).await;
                        });
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        if let Ok(q) = svc.missed_queue(0).await {
                            d.set_missed(q.total);
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        desktop
    }

    pub fn status(&self) -> DesktopStatus {
        let (label, tooltip) = self
            .labels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        DesktopStatus {
            tray_label: label,
            tray_tooltip: tooltip,
            missed: self.missed.load(Ordering::Relaxed),
            notifications: self
                .prefs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .notifications,
            notifications_available: *self.available.lock().unwrap_or_else(|p| p.into_inner()),
            notified: self.notified.load(Ordering::Relaxed),
        }
    }

    /// Turns notifications on or off, and keeps the choice.
    pub fn set_notifications(&self, on: bool) -> std::io::Result<()> {
        let prefs = {
            let mut p = self.prefs.lock().unwrap_or_else(|p| p.into_inner());
            p.notifications = on;
            p.clone()
        };
        std::fs::write(
            &self.prefs_file,
            serde_json::to_vec(&prefs).expect("prefs serialize"),
        )
    }

    fn set_missed(&self, n: u32) {
        self.missed.store(n, Ordering::Relaxed);
        let label = if n == 0 { String::new() } else { n.to_string() };
        let tooltip = match n {
            0 => "callboard: no missed calls to return".to_owned(),
            n => format!("callboard: {n} missed, not called back"),
        };
        if let Some(t) = &self.tray {
            // Shown beside the icon where the panel shows labels (AppIndicator does).
            let _ = t.set_title(Some(&label));
            let _ = t.set_tooltip(Some(&tooltip));
        }
        *self.labels.lock().unwrap_or_else(|p| p.into_inner()) = (label, tooltip);
    }

    async fn on_call(&self, app: &AppHandle, service: &Service, call: &LiveCall) {
        if call.state != LiveState::Ringing || call.direction != Direction::Incoming {
            return;
        }
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen.contains(&call.key) {
                return;
            }
            seen.push_back(call.key.clone());
            while seen.len() > SEEN_KEPT {
                seen.pop_front();
            }
        }
        let on = self
            .prefs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .notifications;
        if !on || *self.available.lock().unwrap_or_else(|p| p.into_inner()) == Some(false) {
            return;
        }
        let summary = service.caller_summary(&call.caller).await.ok();
        let (title, body) = words(call, summary.as_ref());
        self.notified.fetch_add(1, Ordering::Relaxed);
        let (app, number) = (app.clone(), call.caller.clone());
        let (shown_tx, shown) = tokio::sync::oneshot::channel();
        // `wait_for_action` blocks until the notification is closed or clicked: a thread.
        std::thread::spawn(move || {
            let shown_now = notify_rust::Notification::new()
                .appname("callboard")
                .summary(&title)
                .body(&body)
                .icon("call-start")
                .action("default", "Show calls")
                .show();
            let _ = shown_tx.send(shown_now.as_ref().map(|_| ()).map_err(|e| e.to_string()));
            if let Ok(handle) = shown_now {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        let _ = app.emit(EVENT, Event::ShowCaller { number });
                        show_window(&app);
                    }
                });
            }
        });
        let available = match tokio::time::timeout(std::time::Duration::from_secs(10), shown).await
        {
            Ok(Ok(Ok(()))) => true,
            Ok(Ok(Err(e))) => {
                tracing::info!(error = %e, "notifications unavailable (no notification daemon?)");
                false
            }
            // The daemon did not answer in time: try again with the next call.
            _ => return,
        };
        *self.available.lock().unwrap_or_else(|p| p.into_inner()) = Some(available);
    }
}

/// The notification's title and body: who calls, and what is known of them.
fn words(call: &LiveCall, summary: Option<&CallerSummary>) -> (String, String) {
    let who = match summary.and_then(|s| s.name.as_deref()) {
        Some(name) => format!("{name}, {}", call.caller),
        None if call.caller.is_empty() => "unknown number".to_owned(),
        None => call.caller.clone(),
    };
    let mut body = Vec::new();
    if let Some(s) = summary {
        // The call itself may already be counted once it is in the history.
        match s.calls {
            0 => body.push("First call".to_owned()),
            n => body.push(format!("Called {n} time(s) before")),
        }
        if let (Some(o), Some(at)) = (s.last_outcome, s.last_at) {
            let how = match o {
                Outcome::Answered => "answered",
                Outcome::Missed => "missed",
                Outcome::Busy => "busy",
                Outcome::Failed => "failed",
                Outcome::Forwarded => "forwarded",
            };
            body.push(format!("last: {how}, {}", at.format("%d.%m %H:%M UTC")));
        }
    }
    if let Some(t) = &call.target {
        body.push(format!("ringing {t}"));
    }
    (format!("Incoming call: {who}"), body.join("; "))
}

fn tray(app: &AppHandle) -> tauri::Result<TrayIcon> {
    let show = MenuItemBuilder::with_id("show", "Show callboard").build(app)?;
    let quit = MenuItemBuilder::with_id("quit", "Quit").build(app)?;
    let menu = MenuBuilder::new(app).items(&[&show, &quit]).build()?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("callboard")
        .menu(&menu)
        .on_menu_event(|app, e| match e.id().as_ref() {
            "show" => show_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, e| {
            if let TrayIconEvent::Click { .. } = e {
                show_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

fn show_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}
