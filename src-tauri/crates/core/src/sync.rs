//! The sync engine: one task per account, polling its provider from a saved cursor.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use callboard_model::{AccountStatus, Event, SyncState};
use callboard_providers::HistorySource;
use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::broadcast;

use crate::sources::history_builder;
use crate::store::{Store, UpsertStats};
use crate::{AccountConfig, Clock, CoreError, blocking};

/// What one sync pass did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Rows the provider returned.
    pub fetched: usize,
    pub stats: UpsertStats,
}

/// An account as the service runs it: its config, its client, its live status.
pub(crate) struct AccountRuntime {
    pub config: AccountConfig,
    /// The client, once built: see [`AccountRuntime::source`].
    pub source: tokio::sync::OnceCell<Arc<dyn HistorySource>>,
    pub status: Mutex<AccountStatus>,
    /// Keeps a manual pass and the task's pass from running at once; holds when the
    /// last deep re-scan ran.
    pub pass_lock: tokio::sync::Mutex<Option<DateTime<Utc>>>,
}

/// How often a pass re-reads a whole day instead of the provider's short overlap: a
/// call's record appears only when it ends, so a call longer than the overlap would
/// otherwise be missed for good.
const DEEP_RESCAN_EVERY: chrono::Duration = chrono::Duration::hours(1);
const DEEP_OVERLAP: chrono::Duration = chrono::Duration::hours(24);

impl AccountRuntime {
    pub fn new(config: AccountConfig, status: AccountStatus) -> Self {
        Self {
            config,
            source: tokio::sync::OnceCell::new(),
            status: Mutex::new(status),
            pass_lock: tokio::sync::Mutex::new(None),
        }
    }

    /// Whether this account's history can be synced at all (its provider's is built).
    pub fn syncs(&self) -> bool {
        history_builder(self.config.provider).is_some()
    }

    /// The account's client, built on first need. A build that fails (a secret that cannot
    /// be read yet: a keyring still locked after login, say) is tried again on the next
    /// need, so the account recovers without a restart.
    pub async fn source(&self) -> Result<Arc<dyn HistorySource>, CoreError> {
        self.source
            .get_or_try_init(|| async {
                let build =
                    history_builder(self.config.provider).ok_or_else(|| self.no_sync_yet())?;
                let config = self.config.clone();
                // A keyring read may wait on D-Bus (or an unlock prompt): off the async threads.
                tokio::task::spawn_blocking(move || build(&config)).await?
            })
            .await
            .cloned()
    }

    fn no_sync_yet(&self) -> CoreError {
        CoreError::InvalidInput(format!(
            "account {} has no history sync yet",
            self.config.id
        ))
    }

    pub fn status(&self) -> AccountStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn update_status(&self, events: &broadcast::Sender<Event>, f: impl FnOnce(&mut AccountStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.clone()
        };
        // No subscriber is fine: nobody is watching.
        let _ = events.send(Event::AccountStatus {
            status: Box::new(snapshot),
        });
    }
}

/// Asks the provider for everything since the cursor (less `overlap`, within the backfill
/// horizon) and stores it with the new cursor in one transaction.
pub(crate) async fn sync_pass(
    store: &Arc<Store>,
    account: &AccountConfig,
    source: &dyn HistorySource,
    now: DateTime<Utc>,
    overlap: chrono::Duration,
) -> Result<SyncReport, CoreError> {
    let id = account.id.clone();
    let record = blocking(store, move |s| s.sync_record(&id)).await?;
    let horizon = now - chrono::Duration::days(i64::from(account.backfill_days));
    let from = record
        .cursor
        .map_or(horizon, |c| (c - overlap).max(horizon));
    let calls = source.fetch_calls(from, now).await?;
    let fetched = calls.len();
    let (id, provider) = (account.id.clone(), account.provider);
    let stats = blocking(store, move |s| {
        s.upsert_calls(&id, provider, &calls, Some(now))
    })
    .await?;
    Ok(SyncReport {
        from,
        to: now,
        fetched,
        stats,
    })
}

/// Runs one pass for `rt` and publishes its outcome (status, events, saved last error).
pub(crate) async fn run_pass(
    store: &Arc<Store>,
    rt: &AccountRuntime,
    events: &broadcast::Sender<Event>,
    clock: &dyn Clock,
) -> Result<SyncReport, CoreError> {
    // Before the status flips to syncing: an unsupported account stays so.
    if !rt.syncs() {
        return Err(rt.no_sync_yet());
    }
    let mut last_deep = rt.pass_lock.lock().await;
    let now = clock.now();
    rt.update_status(events, |s| s.state = SyncState::Syncing);
    let result = match rt.source().await {
        Ok(source) => {
            let deep = last_deep.is_none_or(|t| now - t >= DEEP_RESCAN_EVERY);
            let overlap = if deep {
                DEEP_OVERLAP.max(source.overlap())
            } else {
                source.overlap()
            };
            let result = sync_pass(store, &rt.config, source.as_ref(), now, overlap).await;
            if deep && result.is_ok() {
                *last_deep = Some(now);
            }
            result
        }
        Err(e) => Err(e),
    };
    let id = rt.config.id.clone();
    let count = blocking(store, move |s| s.count_calls(&id))
        .await
        .unwrap_or(0);
    let (success_at, api_error) = match &result {
        Ok(report) => {
            tracing::info!(account = %rt.config.id, fetched = report.fetched, inserted = report.stats.inserted,
                updated = report.stats.updated, "sync pass done");
            let _ = events.send(Event::CallsSynced {
                account: rt.config.id.clone(),
                inserted: report.stats.inserted,
                updated: report.stats.updated,
            });
            (Some(report.to), None)
        }
        Err(e) => {
            tracing::warn!(account = %rt.config.id, error = %e, "sync pass failed");
            (None, Some(e.to_api_for(Some(&rt.config.id))))
        }
    };
    rt.update_status(events, |s| {
        s.calls_synced = count;
        s.state = if api_error.is_some() {
            SyncState::Error
        } else {
            SyncState::Ok
        };
        if success_at.is_some() {
            s.last_success = success_at;
        }
        s.last_error = api_error.clone();
    });
    let id = rt.config.id.clone();
    blocking(store, move |s| {
        s.save_sync_outcome(&id, success_at, api_error.as_ref())
    })
    .await?;
    result
}

/// The account's sync loop: a pass, then the poll interval (or a backoff after errors).
pub(crate) async fn run_account(
    store: Arc<Store>,
    rt: Arc<AccountRuntime>,
    events: broadcast::Sender<Event>,
    clock: Arc<dyn Clock>,
) {
    let poll = Duration::from_secs(rt.config.poll_interval_secs);
    let mut failures = 0u32;
    loop {
        let delay = match run_pass(&store, &rt, &events, clock.as_ref()).await {
            Ok(_) => {
                failures = 0;
                poll
            }
            Err(_) => {
                failures += 1;
                backoff(
                    failures,
                    Duration::from_secs(2),
                    poll.max(Duration::from_secs(600)),
                )
            }
        };
        let next = clock.now() + chrono::Duration::from_std(delay).unwrap_or_default();
        rt.update_status(&events, |s| s.next_attempt = Some(next));
        tokio::time::sleep(delay).await;
    }
}

/// Exponential backoff with jitter: `base * 2^(failures-1)`, capped, scaled by 50–100%
/// so that accounts failing together do not retry in step.
pub(crate) fn backoff(failures: u32, base: Duration, max: Duration) -> Duration {
    let exp = base
        .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
        .min(max);
    exp.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let (base, max) = (Duration::from_secs(2), Duration::from_secs(600));
        for f in 1..30 {
            let d = backoff(f, base, max);
            let ceiling = base.saturating_mul(1 << (f - 1).min(20)).min(max);
            assert!(
                d <= ceiling && d >= ceiling / 2,
                "failure {f}: {d:?} vs {ceiling:?}"
            );
        }
        assert!(backoff(30, base, max) <= max);
    }
}
