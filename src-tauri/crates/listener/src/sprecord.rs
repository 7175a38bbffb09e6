//! SpRecord devices' posts: a call arrives (`msg=1`), its caller is identified, it ends
//! (`msg=2`, which carries the finished call whole).

use axum::http::header;
use axum::response::Response;
use callboard_providers::sprecord;
use chrono::Utc;

use crate::hooks::{Accepted, Shared, ok};

pub(crate) async fn handle(s: &Shared, a: Accepted) -> Response {
    let Some(settings) = s.sprecord.get(&a.account) else {
        return s.unreadable(&a, "the account has no SpRecord settings".into());
    };
    let content_type = a
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    match sprecord::parse_device_post(
        &a.body,
        content_type,
        a.query.as_deref(),
        settings,
        &a.account,
        Utc::now(),
    ) {
        Ok(event) => s.ingest(&a, vec![event], ok("OK")).await,
        Err(e) => s.unreadable(&a, e.to_string()),
    }
}
