//! The refused-requests log, written off the request path: a flood of bad requests fills
//! a bounded queue (the overflow is counted, not written) and never holds up the answers
//! to good ones.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use callboard_core::{Refusal, Service};
use tokio::sync::mpsc;

/// How many refusals may wait to be written.
const QUEUE: usize = 1024;

/// The sending side, cheap to clone.
#[derive(Clone)]
pub(crate) struct Refusals {
    tx: mpsc::Sender<Refusal>,
    dropped: Arc<AtomicU64>,
}

impl Refusals {
    /// Starts the writer task.
    pub fn start(service: Arc<Service>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Refusal>(QUEUE);
        tokio::spawn(async move {
            while let Some(r) = rx.recv().await {
                tracing::info!(
                    source = %r.source, path = %r.path, status = r.status, reason = %r.reason,
                    "listener: refused a request"
                );
                if let Err(e) = service.log_refusal(r).await {
                    tracing::warn!(error = %e, "listener: refusal not logged");
                }
            }
        });
        Self {
            tx,
            dropped: Arc::default(),
        }
    }

    pub fn log(&self, r: Refusal) {
        if self.tx.try_send(r).is_err() {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(
                    dropped = n,
                    "listener: refusals arrive faster than they are logged"
                );
            }
        }
    }
}
