//! Test hooks: armed answers for the next `recordings_get` requests, and counters.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::spec::MorSpecError;

/// An answer armed in place of the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MorHook {
    /// One of the spec's `<error>` answers (HTTP 200).
    Error(MorSpecError),
    /// A bare HTTP status with a plain-text body, as a proxy in front of MOR would send.
    Http(u16),
    /// The spec's example success answer, byte for byte (placeholders and all).
    SpecExample,
}

#[derive(Debug, Default)]
pub(crate) struct Hooks {
    armed: Mutex<VecDeque<(MorHook, u32)>>,
    requests: AtomicU64,
    files: AtomicU64,
}

impl Hooks {
    /// Queues `hook` for the next `times` requests; `times == 0` arms nothing.
    pub(crate) fn arm(&self, hook: MorHook, times: u32) {
        if times > 0 {
            self.lock().push_back((hook, times));
        }
    }

    /// Consumes one use of the oldest armed answer.
    pub(crate) fn take(&self) -> Option<MorHook> {
        let mut armed = self.lock();
        let (hook, times) = armed.front_mut()?;
        let hook = *hook;
        *times -= 1;
        if *times == 0 {
            armed.pop_front();
        }
        Some(hook)
    }

    pub(crate) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_file(&self) {
        self.files.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(crate) fn files(&self) -> u64 {
        self.files.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(MorHook, u32)>> {
        self.armed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armed_answers_fire_exactly_times_in_order() {
        let h = Hooks::default();
        h.arm(MorHook::Http(502), 2);
        h.arm(MorHook::SpecExample, 0);
        h.arm(MorHook::Error(MorSpecError::AccessDenied), 1);
        assert_eq!(h.take(), Some(MorHook::Http(502)));
        assert_eq!(h.take(), Some(MorHook::Http(502)));
        assert_eq!(h.take(), Some(MorHook::Error(MorSpecError::AccessDenied)));
        assert_eq!(h.take(), None);
    }
}
