//! callboard's core: the config, the SQLite store, the sync engine and the [`Service`]
//! that both adapters (the Tauri shell and `callboard-server`) wrap. No Tauri, no HTTP
//! serving in here.

mod clock;
pub mod config;
mod error;
mod export;
mod live;
mod operations;
mod recordings;
mod service;
mod sources;
pub mod store;
mod sync;

pub use clock::{Clock, SystemClock};
pub use config::{AccountConfig, Config, ConfigError, ResolveSecret, SecretSource, run_data_dir};
pub use error::CoreError;
pub use export::CallsCsv;
pub use live::{ROUTING_DETAIL, RuleEdit, describe as describe_decision};
pub use operations::ops;
pub use service::{DEFAULT_RECORDINGS_CACHE_BYTES, DemoCalls, Service, ServiceOptions};
pub use store::{Refusal, Store};
pub use sync::SyncReport;

/// The domain types, re-exported so that the operation table's `$crate::model::...` paths
/// resolve in every crate that expands it.
pub use callboard_model as model;

/// Runs a store call on the blocking pool, so SQLite never stalls the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    store: &std::sync::Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, store::StoreError> + Send + 'static,
) -> Result<T, CoreError> {
    let store = store.clone();
    Ok(tokio::task::spawn_blocking(move || f(&store)).await??)
}
