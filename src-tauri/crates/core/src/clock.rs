//! Where the sync engine reads the time, so tests can move it.

use chrono::{DateTime, Utc};

/// The wall clock the sync engine plans its windows and its re-scans by.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
