//! MTT's requests: the routing question (`getControlCallFollowMe`, answered from the rules
//! in memory), the call-control events its answer asked for, callback progress, and the
//! voice-notification and IVR events.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use callboard_core::{ROUTING_DETAIL, describe_decision};
use callboard_model::{Direction, RingMode};
use callboard_providers::LiveEvent;
use callboard_providers::mtt::{self, FollowTarget, RedirectType, RoutingAnswer, RoutingRequest};
use callboard_routing::Decision;
use chrono::{DateTime, Utc};

use crate::hooks::{Accepted, Hook, Shared, arrival_stage, ok};

pub(crate) async fn handle(s: &Shared, hook: Hook, a: Accepted) -> Response {
    let now = Utc::now();
    let parsed = match hook {
        Hook::MttRoute => return route(s, a, now).await,
        Hook::MttEvents => mtt::parse_call_event(&a.body, now),
        // A GET with the event in its query (spec L1574); a POST may carry it as a form.
        Hook::MttCallback => {
            let query = match a.query.as_deref() {
                Some(q) if !q.is_empty() => q.to_owned(),
                _ => String::from_utf8_lossy(&a.body).into_owned(),
            };
            mtt::parse_callback_event(&query, now)
        }
        Hook::MttVoice => mtt::parse_voice_event(&a.body, now),
        Hook::MttIvr => mtt::parse_ivr_event(&a.body, now),
        Hook::Beeline | Hook::Sprecord => unreachable!("routed to their own modules"),
    };
    match parsed {
        Ok(event) => s.ingest(&a, vec![event], ok("OK")).await,
        Err(e) => s.unreadable(&a, e.to_string()),
    }
}

/// Answers from the rules in memory, then records the call's arrival: the answer never
/// waits on the store.
async fn route(s: &Shared, a: Accepted, now: DateTime<Utc>) -> Response {
    let req = match mtt::parse_routing_request(&a.body) {
        Ok(r) => r,
        // Any answer but 200 sends the call to MTT's reserve forwarding (L2090).
        Err(e) => return s.unreadable(&a, e.to_string()),
    };
    let decision = s.service.route(&req.number_a, &req.sip_id);
    let (response, target, note) = match &decision {
        Ok(d @ Decision::ProviderDefault { .. }) => {
            (fallback(&describe_decision(d)), None, describe_decision(d))
        }
        Err(why) => {
            let note = format!("cannot decide ({why}): MTT's reserve forwarding");
            (fallback(&note), None, note)
        }
        Ok(d) => {
            let answer = answer(s, &a.account, &req, d);
            let target = answer
                .targets
                .first()
                .filter(|_| !answer.reject)
                .map(|t| t.number.clone());
            let body = mtt::render_routing_answer(&req.id, &answer);
            let response = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
            (response, target, describe_decision(d))
        }
    };
    let arrival = LiveEvent {
        key: format!("mtt:route:{}", req.h323_conf_id),
        call: req.call(),
        provider_call_id: Some(req.h323_conf_id.clone()),
        at: now,
        stage: arrival_stage(&decision, target.as_deref(), &note),
        caller: Some(req.caller.clone()),
        callee: Some(req.callee.clone()),
        direction: Some(Direction::Incoming),
        details: vec![callboard_model::Detail {
            label: ROUTING_DETAIL.into(),
            value: note,
        }],
        completed: None,
    };
    // On the board before MTT hears the answer (its events may follow at once); stored
    // in the background.
    s.service.arrive(&a.account, arrival);
    response
}

/// The answer to a decision that names targets or rejects.
fn answer(s: &Shared, account: &str, req: &RoutingRequest, d: &Decision) -> RoutingAnswer {
    let mut answer = match d {
        Decision::Reject { prompt, .. } => RoutingAnswer {
            file_to_a: prompt.as_deref().map(str::to_owned),
            ..RoutingAnswer::reject()
        },
        Decision::Forward { mode, targets, .. } => RoutingAnswer::forward(
            match mode {
                RingMode::Single => RedirectType::Single,
                RingMode::Sequential => RedirectType::Sequential,
                RingMode::Parallel => RedirectType::Parallel,
            },
            targets
                .iter()
                .map(|t| FollowTarget {
                    number: t.number.clone(),
                    name: t.name.clone(),
                    timeout_secs: t.timeout_secs,
                })
                .collect(),
        ),
        Decision::ProviderDefault { .. } => unreachable!("answered by the fallback"),
    };
    // The call's events come back to this listener, with the extended set (`sp`, `ep`, `t`).
    answer.event_url =
        Some(s.hook_url(callboard_model::ProviderKind::Mtt, account, Some("events")));
    answer.event_extended = true;
    answer.client_id = Some(req.h323_conf_id.replace(' ', ""));
    answer
}

/// Leaves the call to MTT's own reserve forwarding: any status but 200 does (L2090).
fn fallback(why: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        why.to_owned(),
    )
        .into_response()
}
