//! The store's read connections: a fixed pool, so a slow query holds one connection while
//! other readers use the rest.

use std::sync::{Condvar, Mutex};

use rusqlite::Connection;

/// A fixed set of read connections; a reader takes one, or waits for one to come back.
pub(super) struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
}

/// A read connection taken from the pool; it goes back when dropped.
pub(super) struct PooledReader<'a> {
    pool: &'a ReaderPool,
    conn: Option<Connection>,
}

impl ReaderPool {
    pub(super) fn new(connections: Vec<Connection>) -> Self {
        Self {
            idle: Mutex::new(connections),
            returned: Condvar::new(),
        }
    }

    pub(super) fn take(&self) -> PooledReader<'_> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = idle.pop() {
                return PooledReader {
                    pool: self,
                    conn: Some(conn),
                };
            }
            idle = self.returned.wait(idle).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl std::ops::Deref for PooledReader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("held until dropped")
    }
}

impl Drop for PooledReader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(conn);
            self.pool.returned.notify_one();
        }
    }
}

/// How many read connections to keep: one per core, at least two (so one slow query
/// always leaves one free) and at most eight (each holds its own page cache).
pub(super) fn reader_pool_size() -> usize {
    std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(2, 8)
}
