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
            while let Some(first) = rx.recv().await {
                // All that waits is written in one transaction.
                let mut batch = vec![first];
                while batch.len() < QUEUE {
                    match rx.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(_) => break,
                    }
                }
                // One line per batch: a flood must not flood the log as well.
                let last = &batch[batch.len() - 1];
                tracing::info!(
                    count = batch.len(), source = %last.source, path = %last.path,
                    status = last.status, reason = %last.reason,
                    "listener: refused requests (the last of them shown)"
                );
                if let Err(e) = service.log_refusals(batch).await {
                    tracing::warn!(error = %e, "listener: refusals not logged");
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
