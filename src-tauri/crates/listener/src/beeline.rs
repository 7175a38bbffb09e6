//! Beeline's online requests, both at one address (spec 1.4): `callStatus` (stored, no
//! answer defined: 200 with an empty body) and `AgentRequest` (answered with `AgentInfo`
//! from the rules in memory).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use callboard_core::{ROUTING_DETAIL, describe_decision};
use callboard_providers::beeline::{self, AgentInfo, AgentRequest, OnlineRequest};
use callboard_routing::Decision;
use chrono::{DateTime, Utc};

use crate::hooks::{Accepted, Shared, arrival_stage};

pub(crate) async fn handle(s: &Shared, a: Accepted) -> Response {
    let now = Utc::now();
    match beeline::parse_online(&a.body, now) {
        Ok(OnlineRequest::CallStatus(status)) => {
            // "Ответ на данный запрос не предусмотрен" (2.3): an empty 200 once stored.
            let ack = (StatusCode::OK, "").into_response();
            s.ingest(&a, vec![status.to_live_event(now)], ack).await
        }
        Ok(OnlineRequest::AgentRequest(req)) => route(s, &a, req, now),
        Err(e) => s.unreadable(&a, e.to_string()),
    }
}

/// Answers from the rules in memory, then records the call's arrival.
fn route(s: &Shared, a: &Accepted, req: AgentRequest, now: DateTime<Utc>) -> Response {
    let decision = s.service.route(&req.caller(), &req.called());
    // 1.7: unique per request; SPN only logs it.
    let request_id = format!("cb-{:016x}", rand::random::<u64>());
    let (info, note) = match &decision {
        // Beeline rings one operator per answer (B0): the first target.
        Ok(d @ Decision::Forward { targets, .. }) if !targets.is_empty() => (
            Some(AgentInfo::route(&req, &request_id, &targets[0].number)),
            describe_decision(d),
        ),
        Ok(d @ Decision::Reject { .. }) => {
            // The rejection prompt is MTT's Premedia file id; Beeline's files are its own.
            (
                Some(AgentInfo::reject(&req, &request_id)),
                describe_decision(d),
            )
        }
        Ok(d) => (None, describe_decision(d)),
        Err(why) => (None, format!("cannot decide ({why})")),
    };
    let mut arrival = req.to_live_event(&request_id, now);
    let target = info
        .as_ref()
        .map(|i| i.b0.as_str())
        .filter(|b0| !b0.is_empty());
    arrival.stage = arrival_stage(&decision, target, &note);
    arrival.details.push(callboard_model::Detail {
        label: ROUTING_DETAIL.into(),
        value: note,
    });
    // On the board before SPN hears the answer; stored in the background.
    s.service.arrive(&a.account, arrival);
    match info {
        Some(info) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            beeline::render_agent_info(&info),
        )
            .into_response(),
        // No rule for the line: the provider's own routing applies. The spec does not say
        // what SPN does with a non-200 answer; an empty AgentInfo would mean "answer
        // later" (2.4.2), which would hold the caller for an answer that never comes.
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no routing rule for this call",
        )
            .into_response(),
    }
}
