//! The routing rules the service answers live routing requests from: held compiled in
//! memory (no I/O on a routing request), stored in SQLite, edited one change at a time.
//! An edit is compiled before it is stored: a rule set with an invalid rule is refused
//! whole and the previous one keeps answering.

use std::sync::{Arc, RwLock};

use callboard_model::{BlockedNumber, ForwardingPlan, RoutingRules, RoutingSettings, VipCaller};
use callboard_routing::{Decision, DefaultWhy, ForwardWhy, RejectWhy, RouteRequest, Router};
use chrono::{DateTime, Utc};

use crate::store::{RuleKind, Store};
use crate::{CoreError, blocking};

/// The compiled rules and the rules they came from.
struct Current {
    rules: RoutingRules,
    /// `Err`: the stored rules do not compile (a store edited by hand, a zone no longer
    /// known): no answer can be trusted, so the providers' own fallback applies.
    router: Result<Arc<Router>, String>,
}

pub(crate) struct Rules {
    current: RwLock<Arc<Current>>,
    /// One edit at a time: each is compiled against the rules the previous one left.
    edit: tokio::sync::Mutex<()>,
}

/// How an edit is written, once it compiled.
type StoreWrite = Box<dyn FnOnce(&Store) -> Result<(), crate::store::StoreError> + Send>;

/// A rule change.
pub enum RuleEdit {
    Blocked(BlockedNumber),
    Vip(VipCaller),
    Plan(ForwardingPlan),
    Settings(RoutingSettings),
    Delete(i64),
    /// Adds every blacklist entry, VIP and plan of a set (their ids are given anew), in
    /// one compile and one transaction: a large list imported at once.
    Import(RoutingRules),
}

impl Rules {
    /// Loads and compiles the stored rules.
    pub async fn load(store: &Arc<Store>) -> Result<Self, CoreError> {
        let rules = blocking(store, |s| s.load_rules()).await?;
        let router = compile(rules.clone()).await;
        if let Err(e) = &router {
            tracing::error!(error = %e, "routing rules do not compile: routing requests get the providers' fallback until they are fixed");
        }
        Ok(Self {
            current: RwLock::new(Arc::new(Current { rules, router })),
            edit: tokio::sync::Mutex::new(()),
        })
    }

    fn current(&self) -> Arc<Current> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn rules(&self) -> RoutingRules {
        self.current().rules.clone()
    }

    /// Where a call goes; `Err` when the rules cannot answer (see [`Current::router`]).
    pub fn route(&self, caller: &str, called: &str, at: DateTime<Utc>) -> Result<Decision, String> {
        let current = self.current();
        let router = current.router.as_ref().map_err(Clone::clone)?;
        Ok(router.route(&RouteRequest { caller, called, at }))
    }

    /// Applies an edit: compiled first (an invalid rule is refused, naming it), then
    /// stored, then answering. Returns the rules as they now stand.
    pub async fn edit(
        &self,
        store: &Arc<Store>,
        edit: RuleEdit,
    ) -> Result<RoutingRules, CoreError> {
        let _one_at_a_time = self.edit.lock().await;
        let mut rules = self.current().rules.clone();
        let next_id = blocking(store, |s| s.next_rule_id()).await?;
        let id_for = |id: i64| if id > 0 { id } else { next_id };
        let stored: StoreWrite = match edit {
            RuleEdit::Blocked(mut b) => {
                b.id = id_for(b.id);
                replace(&mut rules.blacklist, b.clone(), |x| x.id);
                Box::new(move |s| s.put_rule(RuleKind::Blacklist, b.id, &b))
            }
            RuleEdit::Vip(mut v) => {
                v.id = id_for(v.id);
                replace(&mut rules.vip, v.clone(), |x| x.id);
                Box::new(move |s| s.put_rule(RuleKind::Vip, v.id, &v))
            }
            RuleEdit::Plan(mut p) => {
                p.id = id_for(p.id);
                replace(&mut rules.plans, p.clone(), |x| x.id);
                Box::new(move |s| s.put_rule(RuleKind::Plan, p.id, &p))
            }
            RuleEdit::Settings(settings) => {
                rules.settings = settings.clone();
                Box::new(move |s| s.put_rule_settings(&settings))
            }
            RuleEdit::Import(mut more) => {
                let mut id = next_id;
                let mut next = || {
                    id += 1;
                    id - 1
                };
                for b in &mut more.blacklist {
                    b.id = next();
                }
                for v in &mut more.vip {
                    v.id = next();
                }
                for p in &mut more.plans {
                    p.id = next();
                }
                rules.blacklist.extend(more.blacklist.iter().cloned());
                rules.vip.extend(more.vip.iter().cloned());
                rules.plans.extend(more.plans.iter().cloned());
                fn json<T: serde::Serialize>(x: &T) -> serde_json::Value {
                    serde_json::to_value(x).expect("rules serialize")
                }
                let mut rows: Vec<(RuleKind, i64, serde_json::Value)> = Vec::new();
                rows.extend(
                    more.blacklist
                        .iter()
                        .map(|x| (RuleKind::Blacklist, x.id, json(x))),
                );
                rows.extend(more.vip.iter().map(|x| (RuleKind::Vip, x.id, json(x))));
                rows.extend(more.plans.iter().map(|x| (RuleKind::Plan, x.id, json(x))));
                Box::new(move |s| s.put_rules(&rows))
            }
            RuleEdit::Delete(id) => {
                let before = rules.blacklist.len() + rules.vip.len() + rules.plans.len();
                rules.blacklist.retain(|x| x.id != id);
                rules.vip.retain(|x| x.id != id);
                rules.plans.retain(|x| x.id != id);
                if before == rules.blacklist.len() + rules.vip.len() + rules.plans.len() {
                    return Err(CoreError::NotFound(format!("no routing rule {id}")));
                }
                Box::new(move |s| s.delete_rule(id).map(|_| ()))
            }
        };
        let router = compile(rules.clone())
            .await
            .map_err(CoreError::InvalidInput)?;
        blocking(store, stored).await?;
        let snapshot = rules.clone();
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Current {
            rules,
            router: Ok(router),
        });
        Ok(snapshot)
    }
}

/// Replaces the item with the same id, or appends it.
fn replace<T>(list: &mut Vec<T>, item: T, id: impl Fn(&T) -> i64) {
    match list.iter_mut().find(|x| id(x) == id(&item)) {
        Some(x) => *x = item,
        None => list.push(item),
    }
}

/// Compiles off the async threads (a large blacklist takes a moment).
async fn compile(rules: RoutingRules) -> Result<Arc<Router>, String> {
    tokio::task::spawn_blocking(move || {
        Router::compile(&rules)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(format!("rule compilation failed: {e}")))
}

/// A routing decision in a line, for the call's log and the live panel.
pub fn describe(d: &Decision) -> String {
    match d {
        Decision::Reject { why, .. } => match why {
            RejectWhy::Blacklisted { reason, .. } if reason.is_empty() => {
                "rejected: blacklisted".to_owned()
            }
            RejectWhy::Blacklisted { reason, .. } => format!("rejected: blacklisted ({reason})"),
            RejectWhy::AfterHours { .. } => "rejected: outside the line's hours".to_owned(),
        },
        Decision::Forward { targets, why, .. } => {
            let to: Vec<&str> = targets.iter().map(|t| t.number.as_str()).collect();
            let why = match why {
                ForwardWhy::Vip { name, .. } => format!("VIP {name}"),
                ForwardWhy::Plan { .. } => "the line's plan".to_owned(),
                ForwardWhy::AfterHours { .. } => "after hours".to_owned(),
            };
            format!("forwarded to {} ({why})", to.join(", "))
        }
        Decision::ProviderDefault { why } => match why {
            DefaultWhy::NoRule => "no rule: the provider's own forwarding".to_owned(),
            DefaultWhy::AfterHours { .. } => {
                "outside the line's hours: the provider's own forwarding".to_owned()
            }
        },
    }
}
