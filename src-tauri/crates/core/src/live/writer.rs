//! One writer for every live event: the deliveries that arrive while a transaction is
//! being written are written together in the next one (group commit). At thousands of
//! requests a second this is one commit per batch instead of one blocked thread per
//! request waiting for SQLite's single writer.

use std::sync::Arc;

use callboard_model::ProviderKind;
use callboard_providers::LiveEvent;
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::CoreError;
use crate::store::{LiveBatch, Store};

/// Most deliveries written in one transaction.
const MAX_BATCH: usize = 512;
/// Deliveries that may wait for the writer; past it, callers wait to queue.
const QUEUE: usize = 4096;

struct Job {
    account: String,
    provider: ProviderKind,
    events: Vec<LiveEvent>,
    received: DateTime<Utc>,
    done: oneshot::Sender<Result<Vec<bool>, String>>,
}

/// The sending side; writes resolve once their transaction is committed.
#[derive(Clone)]
pub(crate) struct LiveWriter {
    tx: mpsc::Sender<Job>,
}

impl LiveWriter {
    pub fn start(store: Arc<Store>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut jobs = vec![first];
                while jobs.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                let store = store.clone();
                let written = tokio::task::spawn_blocking(move || {
                    let result = {
                        let batches: Vec<LiveBatch<'_>> = jobs
                            .iter()
                            .map(|j| LiveBatch {
                                account: &j.account,
                                provider: j.provider,
                                events: &j.events,
                                received: j.received,
                            })
                            .collect();
                        store
                            .record_live_batches(&batches)
                            .map_err(|e| e.to_string())
                    };
                    (jobs, result)
                })
                .await;
                let (jobs, result) = match written {
                    Ok(w) => w,
                    Err(e) => {
                        tracing::error!(error = %e, "live event writer failed");
                        continue;
                    }
                };
                match result {
                    Ok(fresh) => {
                        for (job, fresh) in jobs.into_iter().zip(fresh) {
                            let _ = job.done.send(Ok(fresh));
                        }
                    }
                    Err(e) => {
                        for job in jobs {
                            let _ = job.done.send(Err(e.clone()));
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Writes one delivery's events; answers which were new once they are committed.
    pub async fn write(
        &self,
        account: &str,
        provider: ProviderKind,
        events: Vec<LiveEvent>,
        received: DateTime<Utc>,
    ) -> Result<Vec<bool>, CoreError> {
        let (done, written) = oneshot::channel();
        let job = Job {
            account: account.to_owned(),
            provider,
            events,
            received,
            done,
        };
        self.tx
            .send(job)
            .await
            .map_err(|_| CoreError::Internal("the live event writer stopped".into()))?;
        written
            .await
            .map_err(|_| CoreError::Internal("the live event writer stopped".into()))?
            .map_err(|e| CoreError::Internal(format!("live events not stored: {e}")))
    }
}
