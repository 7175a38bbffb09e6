//! Calls as they happen: events the listener received are stored, then folded into the
//! live board, and a call that ends lands in the history; the service tells the UI.

mod board;
mod rules;
mod writer;

use std::sync::{Arc, Mutex};

use callboard_model::{Event, LiveCall, ProviderKind};
use callboard_providers::LiveEvent;
use chrono::{DateTime, Duration, Utc};
use tokio::sync::broadcast;

pub use board::{Board, ROUTING_DETAIL, history_row};
pub(crate) use rules::Rules;
pub use rules::{RuleEdit, describe};

use crate::store::Store;
use crate::{CoreError, blocking};

/// How far back a missed call still waits in the "not called back" queue.
pub const MISSED_WINDOW: Duration = Duration::days(7);
/// How far back events rebuild the board at start.
const REBUILD_WINDOW: Duration = Duration::hours(24);

/// The live board and what keeps it: shared by the service and its listener.
pub(crate) struct Live {
    board: Mutex<Board>,
    writer: writer::LiveWriter,
    /// What the missed queue held when the UI was last told (its callers, each by its
    /// latest missed call).
    waiting: Mutex<Option<Vec<(String, i64)>>>,
}

impl Live {
    pub fn new(store: Arc<Store>) -> Self {
        Self {
            board: Mutex::new(Board::default()),
            writer: writer::LiveWriter::start(store),
            waiting: Mutex::new(None),
        }
    }

    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Rebuilds the board from the last day's stored events, writing any history row a
    /// crash kept from being written (rows are insert-only, so this repeats nothing).
    pub async fn rebuild(&self, store: &Arc<Store>, now: DateTime<Utc>) -> Result<(), CoreError> {
        let events = blocking(store, move |s| s.live_events_since(now - REBUILD_WINDOW)).await?;
        for e in events {
            let applied = self
                .board()
                .apply(&e.account, e.provider, &e.event, e.received);
            if applied.ended_now {
                self.land(store, &e.account, e.provider, &e.event, &applied.call)
                    .await?;
            }
        }
        Ok(())
    }

    /// Stores `events` of `account`, then folds the new ones into the board and tells
    /// the UI; answers which were new. Once this returns Ok, the events are durable: the
    /// listener may acknowledge them.
    pub async fn ingest(
        &self,
        store: &Arc<Store>,
        events_tx: &broadcast::Sender<Event>,
        account: &str,
        provider: ProviderKind,
        events: Vec<LiveEvent>,
        received: DateTime<Utc>,
    ) -> Result<Vec<bool>, CoreError> {
        let fresh = self
            .writer
            .write(account, provider, events.clone(), received)
            .await?;
        let mut landed = 0;
        for (e, new) in events.iter().zip(&fresh) {
            if !new {
                continue;
            }
            let applied = self.board().apply(account, provider, e, received);
            let mut call = applied.call;
            if applied.ended_now {
                if let Some(with_id) = self.land(store, account, provider, e, &call).await? {
                    call = with_id;
                }
                landed += 1;
            }
            let _ = events_tx.send(Event::LiveCall {
                call: Box::new(call),
            });
        }
        if landed > 0 {
            let _ = events_tx.send(Event::CallsSynced {
                account: account.to_owned(),
                inserted: landed,
                updated: 0,
            });
        }
        Ok(fresh)
    }

    /// Writes the history row of a call that just ended (the event's own, or one made
    /// from the board) and records its id on the board.
    async fn land(
        &self,
        store: &Arc<Store>,
        account: &str,
        provider: ProviderKind,
        e: &LiveEvent,
        call: &LiveCall,
    ) -> Result<Option<LiveCall>, CoreError> {
        let acc = account.to_owned();
        let id = match &e.completed {
            // Written with the event, in its transaction.
            Some(c) => {
                let pid = c.provider_call_id.clone();
                blocking(store, move |s| s.call_id_of(&acc, &pid)).await?
            }
            None => {
                let row = history_row(call, e.provider_call_id.as_deref());
                let own = e.provider_call_id.is_some();
                Some(
                    blocking(store, move |s| {
                        s.insert_live_call(&acc, provider, &row, own)
                    })
                    .await?,
                )
            }
        };
        Ok(id.and_then(|id| self.board().set_history_id(&call.key, id)))
    }

    /// Tells the UI when the missed queue changed: its length, or who waits in it.
    pub async fn tell_queue(
        &self,
        store: &Arc<Store>,
        events_tx: &broadcast::Sender<Event>,
        now: DateTime<Utc>,
    ) -> Result<u32, CoreError> {
        let queue = blocking(store, move |s| {
            s.missed_queue(now - MISSED_WINDOW, u32::MAX)
        })
        .await?;
        let who: Vec<(String, i64)> = queue
            .callers
            .into_iter()
            .map(|c| (c.number, c.last_call_id))
            .collect();
        let mut last = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_ref() != Some(&who) {
            *last = Some(who);
            let _ = events_tx.send(Event::MissedQueue {
                waiting: queue.total,
            });
        }
        Ok(queue.total)
    }

    pub fn calls(&self, now: DateTime<Utc>) -> Vec<LiveCall> {
        self.board().calls(now)
    }

    /// A call that just asked to be routed: on the board at once (its later events may
    /// come before a write would end), stored in the background. The answer to the
    /// provider never waits on the store.
    pub fn arrive(
        self: &Arc<Self>,
        store: &Arc<Store>,
        events_tx: &broadcast::Sender<Event>,
        account: &str,
        provider: ProviderKind,
        event: LiveEvent,
        received: DateTime<Utc>,
    ) {
        let applied = self.board().apply(account, provider, &event, received);
        let _ = events_tx.send(Event::LiveCall {
            call: Box::new(applied.call.clone()),
        });
        let (live, store, events_tx, account) = (
            self.clone(),
            store.clone(),
            events_tx.clone(),
            account.to_owned(),
        );
        tokio::spawn(async move {
            let stored = live
                .writer
                .write(&account, provider, vec![event.clone()], received)
                .await;
            if let Err(e) = stored {
                tracing::error!(%account, error = %e, "a routed call's arrival not stored");
                return;
            }
            // A rejection, or a call left to the provider, ends here: its row is due now.
            if applied.ended_now {
                match live
                    .land(&store, &account, provider, &event, &applied.call)
                    .await
                {
                    Ok(call) => {
                        if let Some(call) = call {
                            let _ = events_tx.send(Event::LiveCall {
                                call: Box::new(call),
                            });
                        }
                        // In the history now, like any call that ended.
                        let _ = events_tx.send(Event::CallsSynced {
                            account: account.clone(),
                            inserted: 1,
                            updated: 0,
                        });
                    }
                    Err(e) => tracing::error!(%account, error = %e, "a rejected call not stored"),
                }
            }
        });
    }
}
