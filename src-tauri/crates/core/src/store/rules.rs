//! The live routing rules, one row each (the rule as JSON, its id the row's), read whole
//! at start and written one edit at a time.

use callboard_model::RoutingRules;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreError, lock};

/// Which list a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Blacklist,
    Vip,
    Plan,
    Settings,
}

impl RuleKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Blacklist => "blacklist",
            Self::Vip => "vip",
            Self::Plan => "plan",
            Self::Settings => "settings",
        }
    }
}

impl Store {
    /// Every stored rule; each one's id is its row's.
    pub fn load_rules(&self) -> Result<RoutingRules, StoreError> {
        let conn = self.readers.take();
        let mut stmt = conn.prepare("SELECT id, kind, body FROM routing_rules ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut rules = RoutingRules::default();
        while let Some(r) = rows.next()? {
            let (id, kind, body): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let corrupt = |e: serde_json::Error| StoreError::Corrupt {
                id,
                problem: format!("routing rule ({kind}): {e}"),
            };
            match kind.as_str() {
                "blacklist" => {
                    let mut b: callboard_model::BlockedNumber =
                        serde_json::from_str(&body).map_err(corrupt)?;
                    b.id = id;
                    rules.blacklist.push(b);
                }
                "vip" => {
                    let mut v: callboard_model::VipCaller =
                        serde_json::from_str(&body).map_err(corrupt)?;
                    v.id = id;
                    rules.vip.push(v);
                }
                "plan" => {
                    let mut p: callboard_model::ForwardingPlan =
                        serde_json::from_str(&body).map_err(corrupt)?;
                    p.id = id;
                    rules.plans.push(p);
                }
                _ => rules.settings = serde_json::from_str(&body).map_err(corrupt)?,
            }
        }
        Ok(rules)
    }

    /// The id the next new rule will get.
    pub fn next_rule_id(&self) -> Result<i64, StoreError> {
        let conn = self.readers.take();
        Ok(conn.query_row(
            "SELECT coalesce(max(id), 0) + 1 FROM routing_rules",
            [],
            |r| r.get(0),
        )?)
    }

    /// Writes a rule under `id` (a new one, or replacing the rule with that id).
    pub fn put_rule<T: Serialize>(
        &self,
        kind: RuleKind,
        id: i64,
        rule: &T,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(rule).expect("rules serialize");
        lock(&self.writer).execute(
            "INSERT INTO routing_rules (id, kind, body) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, body = excluded.body",
            params![id, kind.as_str(), body],
        )?;
        Ok(())
    }

    /// Writes the settings (one row of their own).
    pub fn put_rule_settings<T: Serialize>(&self, settings: &T) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        let id: Option<i64> = conn
            .query_row(
                "SELECT id FROM routing_rules WHERE kind = 'settings'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let body = serde_json::to_string(settings).expect("settings serialize");
        match id {
            Some(id) => conn.execute(
                "UPDATE routing_rules SET body = ?2 WHERE id = ?1",
                params![id, body],
            )?,
            None => conn.execute(
                "INSERT INTO routing_rules (kind, body) VALUES ('settings', ?1)",
                [body],
            )?,
        };
        Ok(())
    }

    /// Removes a rule; false when there was none with that id.
    pub fn delete_rule(&self, id: i64) -> Result<bool, StoreError> {
        Ok(lock(&self.writer).execute(
            "DELETE FROM routing_rules WHERE id = ?1 AND kind <> 'settings'",
            [id],
        )? == 1)
    }

    /// Writes many rules, each `(kind, id, rule)`, in one transaction (a large import).
    pub fn put_rules<T: Serialize>(&self, rules: &[(RuleKind, i64, T)]) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO routing_rules (id, kind, body) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, body = excluded.body",
            )?;
            for (kind, id, rule) in rules {
                let body = serde_json::to_string(rule).expect("rules serialize");
                stmt.execute(params![id, kind.as_str(), body])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
