//! The REST endpoints: `un`, `un?phone=`, `cdr/bytime`, `cdr/byid`.
//!
//! Paging follows the spec's words: a page holds at most `limit` (≤ 1000) records in
//! start-time order, `start_id` names the first record of a page (inclusive), and a
//! page with more behind it carries `links` to the next one. Since the order is by
//! time and `seqid`s follow the call end, `start_id` is a position in that order, not
//! a lower bound on `seqid`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Moscow;

use super::render;
use super::server::AppState;
use super::{MTS_SPEC_UN, MtsEndpoint, MtsRecord, SpecExample};

/// Most records one page holds, whatever `limit` asks.
pub const MTS_PAGE_MAX: usize = 1000;
/// Page size when `limit` is absent (the spec leaves it open; its link uses 100).
pub const MTS_PAGE_DEFAULT: usize = 100;

type Params = Query<HashMap<String, String>>;

/// A JSON answer with `status`.
pub(crate) fn answer(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// An error envelope whose HTTP status mirrors its `status_code`.
fn fail(status_code: u16, msg: &str) -> Response {
    answer(
        StatusCode::from_u16(status_code).unwrap_or(StatusCode::BAD_REQUEST),
        render::error(status_code, msg),
    )
}

pub(crate) async fn not_found() -> Response {
    fail(404, "Метод не найден")
}

/// `GET un`: the UN list, or with `phone` one UN's settings.
pub(crate) async fn un(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: RawQuery,
    Query(q): Params,
) -> Response {
    let Some(phone) = q.get("phone") else {
        if let Some(early) = st.gate(MtsEndpoint::UnList, &headers, &raw) {
            return early;
        }
        // The simulated account's numbers are the spec's own, so its answer is the example.
        return answer(StatusCode::OK, SpecExample::UnList.body());
    };
    if let Some(early) = st.gate(MtsEndpoint::UnSettings, &headers, &raw) {
        return early;
    }
    if phone == MTS_SPEC_UN {
        return answer(StatusCode::OK, SpecExample::UnSettings.body());
    }
    if !st.dataset.un_numbers().contains(phone) {
        return fail(404, &format!("UN номер {phone} не найден"));
    }
    let updated_on = st.dataset.horizon(st.now()) + Duration::seconds(3_723);
    answer(
        StatusCode::OK,
        render::un_settings(phone, &st.dataset.dn_numbers(phone), updated_on),
    )
}

/// `GET cdr/bytime?phone&begin&end&start_id&limit`.
pub(crate) async fn cdr_by_time(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: RawQuery,
    Query(q): Params,
) -> Response {
    if let Some(early) = st.gate(MtsEndpoint::CdrByTime, &headers, &raw) {
        return early;
    }
    let (phone, start_id, limit) = match common(&st, &q) {
        Ok(Some(c)) => c,
        Ok(None) => return answer(StatusCode::OK, SpecExample::Cdr.body()),
        Err(resp) => return resp,
    };
    let now = st.now();
    let (begin, end) = match (param_time(&q, "begin"), param_time(&q, "end")) {
        (Err(r), _) | (_, Err(r)) => return r,
        // No dates: the current day (spec L186), Moscow's.
        (Ok(None), Ok(None)) => {
            let day = now.with_timezone(&Moscow).date_naive();
            let midnight = moscow(day.and_hms_opt(0, 0, 0).unwrap_or_default());
            (midnight, midnight + Duration::days(1))
        }
        (Ok(b), Ok(e)) => (
            b.unwrap_or_else(|| st.dataset.horizon(now)),
            e.unwrap_or(now + Duration::seconds(1)),
        ),
    };
    let list = st.dataset.records(&phone, begin, end, now);
    page(&list, start_id, limit, |next| {
        let url = format!(
            "{}/api/v1/cdr/bytime?phone={phone}&begin={}&end={}&start_id={next}&limit={limit}",
            st.base_url,
            render::link_time(begin),
            render::link_time(end),
        );
        render::malformed_link(&url, "begin")
    })
}

/// `GET cdr/byid?phone&start_id&limit`: every record kept for the UN, from `start_id`.
pub(crate) async fn cdr_by_id(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: RawQuery,
    Query(q): Params,
) -> Response {
    if let Some(early) = st.gate(MtsEndpoint::CdrById, &headers, &raw) {
        return early;
    }
    let (phone, start_id, limit) = match common(&st, &q) {
        Ok(Some(c)) => c,
        Ok(None) => return answer(StatusCode::OK, SpecExample::Cdr.body()),
        Err(resp) => return resp,
    };
    let list = st.dataset.retained(&phone, st.now());
    page(&list, start_id, limit, |next| {
        let url = format!(
            "{}/api/v1/cdr/byid?phone={phone}&start_id={next}&limit={limit}",
            st.base_url
        );
        render::malformed_link(&url, "start_id")
    })
}

/// `phone`, `start_id` and `limit`, checked; `Ok(None)` for the spec's own UN, which
/// answers the spec's CDR example whatever is asked.
#[allow(clippy::result_large_err)]
fn common(
    st: &AppState,
    q: &HashMap<String, String>,
) -> Result<Option<(String, Option<u64>, usize)>, Response> {
    let phone = q
        .get("phone")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| fail(400, "Не задан обязательный параметр phone"))?;
    if phone == MTS_SPEC_UN {
        return Ok(None);
    }
    if !st.dataset.un_numbers().contains(phone) {
        return Err(fail(404, &format!("UN номер {phone} не найден")));
    }
    let start_id = match q.get("start_id").map(|s| s.trim()) {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<u64>()
                .map_err(|_| fail(400, &format!("Неверное значение start_id: {s}")))?,
        ),
    };
    let limit = match q.get("limit").map(|s| s.trim()) {
        None | Some("") => MTS_PAGE_DEFAULT,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n > 0 => n.min(MTS_PAGE_MAX),
            _ => return Err(fail(400, &format!("Неверное значение limit: {s}"))),
        },
    };
    Ok(Some((phone.clone(), start_id, limit)))
}

/// One page of `list` from the record `start_id` (inclusive), with a link to the next.
fn page(
    list: &[MtsRecord],
    start_id: Option<u64>,
    limit: usize,
    link: impl Fn(u64) -> String,
) -> Response {
    let from = match start_id {
        None => 0,
        Some(id) => match list.iter().position(|r| r.seqid == id) {
            Some(i) => i,
            None => return fail(404, &format!("Запись start_id={id} не найдена")),
        },
    };
    let to = (from + limit).min(list.len());
    let next = list.get(to).map(|r| link(r.seqid));
    answer(
        StatusCode::OK,
        render::ok(&render::records(&list[from..to]), next.as_deref()),
    )
}

/// A Moscow wall-clock time as an instant.
fn moscow(local: NaiveDateTime) -> DateTime<Utc> {
    Moscow
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc() - Duration::hours(3))
}

/// `begin` / `end` in any of the forms the spec shows: `01.10.2012` (L188) and
/// `2011-10-02T00:00:00` (L236), plus their space-separated and date-only siblings.
#[allow(clippy::result_large_err)]
fn param_time(q: &HashMap<String, String>, key: &str) -> Result<Option<DateTime<Utc>>, Response> {
    let Some(text) = q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let datetime = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok());
    let date = || {
        ["%d.%m.%Y", "%Y-%m-%d"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    };
    datetime
        .or_else(date)
        .map(|t| Some(moscow(t)))
        .ok_or_else(|| fail(400, &format!("Неверный формат параметра {key}: {text}")))
}
