//! What the Beeline simulator remembers between requests: CDR jobs, request counters,
//! armed failures and examples, and the forms it received.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SubsecRound, Utc};

use super::dataset::BeelineDataset;
use super::errors::SpecError;
use super::examples::SpecExample;
use crate::ids::mix_all;

/// Which calls a CDR job holds: all numbers in one end-time window (4.13.2), or one
/// window per listed number (4.13.1, duplicates merged per 4.13.4).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Selection {
    All(DateTime<Utc>, DateTime<Utc>),
    Numbers(BTreeMap<String, (DateTime<Utc>, DateTime<Utc>)>),
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) selection: Selection,
    pub(crate) not_ready_left: u32,
    pub(crate) expired: bool,
    pub(crate) ready: bool,
}

/// What a test armed for the next calls of a command.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Armed {
    Error(&'static SpecError),
    Example(SpecExample),
}

#[derive(Debug, Default)]
struct Hooks {
    counts: BTreeMap<String, u64>,
    armed: HashMap<String, VecDeque<(Armed, u32)>>,
    expire_next: u32,
}

/// Shared by all handlers.
#[derive(Debug)]
pub(crate) struct SimState {
    pub(crate) dataset: BeelineDataset,
    pub(crate) base_url: String,
    pub(crate) login: String,
    pub(crate) password: String,
    pub(crate) trust_loopback: bool,
    fixed_now: Option<DateTime<Utc>>,
    seed: u64,
    hooks: Mutex<Hooks>,
    not_ready_polls: Mutex<u32>,
    jobs: Mutex<HashMap<String, Job>>,
    forms: Mutex<Vec<String>>,
    next: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SimState {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        dataset: BeelineDataset,
        seed: u64,
        base_url: String,
        login: String,
        password: String,
        trust_loopback: bool,
        fixed_now: Option<DateTime<Utc>>,
        not_ready_polls: u32,
    ) -> Self {
        Self {
            dataset,
            base_url,
            login,
            password,
            trust_loopback,
            fixed_now,
            seed,
            hooks: Mutex::default(),
            not_ready_polls: Mutex::new(not_ready_polls),
            jobs: Mutex::default(),
            forms: Mutex::default(),
            next: AtomicU64::new(1),
        }
    }

    /// The simulator's clock, in whole seconds like Beeline's times.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now).trunc_subsecs(0)
    }

    /// A fresh number for ids and `AUXCODE`s.
    pub(crate) fn next_number(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// 3.4: Basic credentials, or (when trusted) a loopback peer — IP authorization, which
    /// is also how a client authenticating by certificate gets in over plain HTTP.
    pub(crate) fn authorized(&self, headers: &HeaderMap, peer: IpAddr) -> bool {
        if self.trust_loopback && peer.is_loopback() {
            return true;
        }
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("basic").then_some(token.trim())
            })
            .and_then(|t| BASE64.decode(t).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .is_some_and(|pair| pair == format!("{}:{}", self.login, self.password))
    }

    pub(crate) fn count(&self, command: &str) {
        *lock(&self.hooks)
            .counts
            .entry(command.to_string())
            .or_default() += 1;
    }

    pub(crate) fn request_count(&self, command: &str) -> u64 {
        lock(&self.hooks).counts.get(command).copied().unwrap_or(0)
    }

    pub(crate) fn arm(&self, command: &str, what: Armed, times: u32) {
        if times > 0 {
            lock(&self.hooks)
                .armed
                .entry(command.to_string())
                .or_default()
                .push_back((what, times));
        }
    }

    /// Consumes one use of the oldest thing armed for `command`.
    pub(crate) fn take_armed(&self, command: &str) -> Option<Armed> {
        let mut hooks = lock(&self.hooks);
        let queue = hooks.armed.get_mut(command)?;
        let (what, times) = queue.front_mut()?;
        let fired = *what;
        *times -= 1;
        if *times == 0 {
            queue.pop_front();
        }
        Some(fired)
    }

    pub(crate) fn remember_form(&self, form: &str) {
        lock(&self.forms).push(form.to_string());
    }

    pub(crate) fn forms(&self) -> Vec<String> {
        lock(&self.forms).clone()
    }

    pub(crate) fn set_not_ready_polls(&self, polls: u32) {
        *lock(&self.not_ready_polls) = polls;
    }

    pub(crate) fn expire_next_jobs(&self, n: u32) {
        lock(&self.hooks).expire_next += n;
    }

    /// Opens a job and returns its `CDRID`.
    pub(crate) fn open_job(&self, selection: Selection) -> String {
        let expired = {
            let mut hooks = lock(&self.hooks);
            let e = hooks.expire_next > 0;
            hooks.expire_next = hooks.expire_next.saturating_sub(1);
            e
        };
        let id = format!("{:016X}", mix_all(&[self.seed, 0xCD12, self.next_number()]));
        lock(&self.jobs).insert(
            id.clone(),
            Job {
                selection,
                not_ready_left: *lock(&self.not_ready_polls),
                expired,
                ready: false,
            },
        );
        id
    }

    /// One `STATCDR` poll: the job as it stands after it (`None` if unknown).
    pub(crate) fn poll_job(&self, id: &str) -> Option<Job> {
        let mut jobs = lock(&self.jobs);
        let job = jobs.get_mut(id)?;
        if !job.expired {
            if job.not_ready_left > 0 {
                job.not_ready_left -= 1;
            } else {
                job.ready = true;
            }
        }
        Some(job.clone())
    }

    pub(crate) fn job(&self, id: &str) -> Option<Job> {
        lock(&self.jobs).get(id).cloned()
    }

    pub(crate) fn expire_job(&self, id: &str) -> bool {
        match lock(&self.jobs).get_mut(id) {
            Some(job) => {
                job.expired = true;
                job.ready = false;
                true
            }
            None => false,
        }
    }
}
