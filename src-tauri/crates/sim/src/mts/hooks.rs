//! Test hooks: request counters, the queries seen, armed envelope errors and armed
//! spec examples.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::SpecExample;

/// The simulator's endpoints, for counters and armed answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MtsEndpoint {
    /// `GET /api/v1/un`: the UN numbers.
    UnList,
    /// `GET /api/v1/un?phone=`: one UN's settings.
    UnSettings,
    /// `GET /api/v1/cdr/bytime`.
    CdrByTime,
    /// `GET /api/v1/cdr/byid`.
    CdrById,
}

/// An envelope error armed for the next `times` requests of `endpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MtsFailure {
    /// Which endpoint fails.
    pub endpoint: MtsEndpoint,
    /// The envelope's `status_code` (4XX: bad input, 5XX: API fault).
    pub status_code: u16,
    /// The envelope's `status_msg`.
    pub status_msg: String,
    /// The HTTP status of the answer; `None` mirrors `status_code` (the spec does not
    /// say whether it does, so both are served).
    #[serde(default)]
    pub http_status: Option<u16>,
    /// How many consecutive requests fail.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

/// Shared counters and armed answers.
#[derive(Debug, Default)]
pub(crate) struct Hooks {
    counts: Mutex<HashMap<MtsEndpoint, u64>>,
    queries: Mutex<HashMap<MtsEndpoint, Vec<String>>>,
    failures: Mutex<HashMap<MtsEndpoint, VecDeque<MtsFailure>>>,
    examples: Mutex<HashMap<MtsEndpoint, VecDeque<(SpecExample, u32)>>>,
}

impl Hooks {
    pub(crate) fn record(&self, endpoint: MtsEndpoint, query: &str) {
        *lock(&self.counts).entry(endpoint).or_default() += 1;
        lock(&self.queries)
            .entry(endpoint)
            .or_default()
            .push(query.to_string());
    }

    pub(crate) fn request_count(&self, endpoint: MtsEndpoint) -> u64 {
        lock(&self.counts).get(&endpoint).copied().unwrap_or(0)
    }

    pub(crate) fn queries(&self, endpoint: MtsEndpoint) -> Vec<String> {
        lock(&self.queries)
            .get(&endpoint)
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn arm_failure(&self, f: MtsFailure) {
        if f.times > 0 {
            lock(&self.failures)
                .entry(f.endpoint)
                .or_default()
                .push_back(f);
        }
    }

    pub(crate) fn arm_example(&self, example: SpecExample, times: u32) {
        if times > 0 {
            lock(&self.examples)
                .entry(example.endpoint())
                .or_default()
                .push_back((example, times));
        }
    }

    pub(crate) fn take_failure(&self, endpoint: MtsEndpoint) -> Option<MtsFailure> {
        let mut failures = lock(&self.failures);
        let queue = failures.get_mut(&endpoint)?;
        let front = queue.front_mut()?;
        front.times -= 1;
        let fired = front.clone();
        if front.times == 0 {
            queue.pop_front();
        }
        Some(fired)
    }

    pub(crate) fn take_example(&self, endpoint: MtsEndpoint) -> Option<SpecExample> {
        let mut examples = lock(&self.examples);
        let queue = examples.get_mut(&endpoint)?;
        let (example, times) = queue.front_mut()?;
        let fired = *example;
        *times -= 1;
        if *times == 0 {
            queue.pop_front();
        }
        Some(fired)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
