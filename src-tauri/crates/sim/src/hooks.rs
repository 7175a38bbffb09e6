//! Test hooks: request counters and armed failures.
//!
//! Clients must survive MTT's three ways of failing (JSON-RPC error object,
//! `result: {error: 1}` on HTTP 200, plain HTTP errors); arming them here lets
//! tests and demo mode trigger each one on demand instead of hoping for it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// How an injected failure is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureForm {
    /// JSON-RPC `error` object with `code` and `message`.
    Rpc,
    /// HTTP 200 with `result: {"error": 1, "message": ...}`, MTT's second error form.
    Result,
    /// HTTP status `code` with `message` as a plain-text body.
    Http,
}

/// A failure armed for the next `times` calls of `method`.
///
/// `method` is a JSON-RPC method name or `"records_urls"` / `"records_file"`.
/// On those REST endpoints the `rpc` and `result` forms both answer HTTP 200
/// with `{"error": message, "code": code}` instead of the expected payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectedFailure {
    /// JSON-RPC method name, `"records_urls"` or `"records_file"`.
    pub method: String,
    #[serde(default = "default_form")]
    /// How the failure is delivered; `rpc` by default.
    pub form: FailureForm,
    #[serde(default = "default_code")]
    /// JSON-RPC error code, or the HTTP status for `http`; -32603 by default.
    pub code: i64,
    #[serde(default = "default_message")]
    /// Error message / body; "Internal error" by default.
    pub message: String,
    #[serde(default = "default_times")]
    /// How many consecutive calls fail; 1 by default.
    pub times: u32,
}

fn default_form() -> FailureForm {
    FailureForm::Rpc
}
fn default_code() -> i64 {
    -32603
}
fn default_message() -> String {
    "Internal error".to_string()
}
fn default_times() -> u32 {
    1
}

/// Shared counters and the queue of armed failures.
#[derive(Debug, Default)]
pub(crate) struct Hooks {
    counts: Mutex<BTreeMap<String, u64>>,
    failures: Mutex<HashMap<String, VecDeque<InjectedFailure>>>,
}

impl Hooks {
    pub(crate) fn count(&self, method: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry(method.to_string()).or_default() += 1;
    }

    pub(crate) fn request_count(&self, method: &str) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.get(method).copied().unwrap_or(0)
    }

    pub(crate) fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Queues `f`; arms with `times == 0` are ignored.
    pub(crate) fn arm(&self, f: InjectedFailure) {
        if f.times == 0 {
            return;
        }
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.entry(f.method.clone()).or_default().push_back(f);
    }

    /// Consumes one use of the oldest failure armed for `method`.
    pub(crate) fn take(&self, method: &str) -> Option<InjectedFailure> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let queue = failures.get_mut(method)?;
        let front = queue.front_mut()?;
        front.times -= 1;
        let fired = front.clone();
        if front.times == 0 {
            queue.pop_front();
        }
        Some(fired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armed_failures_fire_exactly_times() {
        let hooks = Hooks::default();
        hooks.arm(InjectedFailure {
            method: "m".into(),
            form: FailureForm::Rpc,
            code: 1,
            message: "x".into(),
            times: 2,
        });
        assert!(hooks.take("m").is_some());
        assert!(hooks.take("m").is_some());
        assert!(hooks.take("m").is_none());
        assert!(hooks.take("other").is_none());
    }
}
