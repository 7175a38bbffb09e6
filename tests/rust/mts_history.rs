//! MTS @втосекретарь end to end: the real client against the simulator over loopback
//! HTTP. Expectations come from the simulator's dataset, never from the client.

use std::collections::HashSet;
use std::time::Duration as StdDuration;

use callboard_model::{Direction, NewCall, Outcome};
use callboard_providers::ErrorKind;
use callboard_providers::mts::{
    Envelope, MtsAuth, MtsClient, MtsDateFormat, MtsError, MtsSettings,
};
use callboard_sim::mts::{
    MTS_SIM_LOGIN, MTS_SIM_PASSWORD, MTS_SPEC, MTS_SPEC_UN, MTS_UN_NUMBERS, MtsEndpoint,
    MtsFailure, MtsRecord, MtsSim, MtsSimAuth, MtsSimOptions, SpecExample,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrecy::SecretString;

/// A weekday at noon in Moscow, so calls are in progress when the clock stops.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap()
}

async fn sim_with(calls_per_day: u32, auth: MtsSimAuth) -> MtsSim {
    MtsSim::start(MtsSimOptions {
        now: Some(now()),
        days: 7,
        calls_per_day,
        auth,
        ..MtsSimOptions::default()
    })
    .await
    .expect("simulator starts")
}

async fn sim(calls_per_day: u32) -> MtsSim {
    sim_with(calls_per_day, MtsSimAuth::default()).await
}

fn basic() -> MtsAuth {
    MtsAuth::Basic {
        login: MTS_SIM_LOGIN.into(),
        password: SecretString::from(MTS_SIM_PASSWORD),
    }
}

fn settings(sim: &MtsSim, page_size: u32) -> MtsSettings {
    MtsSettings {
        page_size,
        timeout: StdDuration::from_secs(10),
        ..MtsSettings::new(sim.api_url().parse().unwrap(), basic())
    }
}

fn client(sim: &MtsSim, page_size: u32) -> MtsClient {
    MtsClient::new(settings(sim, page_size)).unwrap()
}

fn detail<'a>(call: &'a NewCall, label: &str) -> Option<&'a str> {
    call.details
        .iter()
        .find(|d| d.label == label)
        .map(|d| d.value.as_str())
}

/// What the client must make of a simulated record, from the record's own fields.
fn assert_matches(call: &NewCall, rec: &MtsRecord) {
    assert_eq!(call.provider_call_id, rec.seqid.to_string());
    assert_eq!(call.started_at, rec.start_time, "{}", rec.seqid);
    assert_eq!(call.caller, format!("+{}", rec.client_number));
    assert_eq!(call.callee, format!("+7{}", rec.un));
    assert_eq!(call.direction, Direction::Incoming);
    let outcome = if rec.talk_duration > 0 {
        Outcome::Answered
    } else {
        Outcome::Missed
    };
    assert_eq!(call.outcome, outcome);
    assert_eq!(
        (call.talk_secs, call.total_secs, call.ring_secs),
        (
            rec.talk_duration,
            rec.duration,
            rec.duration - rec.talk_duration
        )
    );
    assert_eq!(detail(call, "log"), Some(rec.log.as_str()));
    assert_eq!(detail(call, "call_id"), Some(rec.id.to_string().as_str()));
    assert!(call.recording_ref.is_none());
}

fn out_of_time_order(records: &[MtsRecord]) -> usize {
    records
        .windows(2)
        .filter(|w| w[0].seqid > w[1].seqid)
        .count()
}

#[tokio::test]
async fn a_full_fetch_is_the_dataset_across_every_page() {
    let sim = sim(300).await;
    let (from, to) = (now() - Duration::days(3), now());
    let calls = client(&sim, 40).fetch_calls(from, to).await.unwrap();

    let expected: Vec<MtsRecord> = MTS_UN_NUMBERS
        .iter()
        .flat_map(|un| sim.dataset().records(un, from, to, now()))
        .collect();
    assert!(
        out_of_time_order(&expected) > 0,
        "the window must hold ids out of time order"
    );
    assert_eq!(calls.len(), expected.len());
    for (call, rec) in calls.iter().zip(&expected) {
        assert_matches(call, rec);
    }
    let ids: HashSet<&str> = calls.iter().map(|c| c.provider_call_id.as_str()).collect();
    assert_eq!(ids.len(), calls.len(), "no record twice");

    // One `un` request, then every page of both UNs, each following the previous link.
    assert_eq!(sim.request_count(MtsEndpoint::UnList), 1);
    let pages: usize = MTS_UN_NUMBERS
        .iter()
        .map(|un| {
            let n = sim.dataset().records(un, from, to, now()).len();
            n.div_ceil(40)
        })
        .sum();
    let queries = sim.queries(MtsEndpoint::CdrByTime);
    assert_eq!(queries.len(), pages);
    assert!(
        queries[0].contains("begin=2026-03-01T12%3A00%3A00"),
        "{}",
        queries[0]
    );
    let followed: Vec<&String> = queries.iter().filter(|q| q.contains("start_id=")).collect();
    assert_eq!(followed.len(), pages - MTS_UN_NUMBERS.len());
    for q in followed {
        // The link's own date form and page size, sent back as the link wrote them.
        assert!(q.contains("begin=2026-03-01T12%3A00%3A00"), "{q}");
        assert!(q.contains("limit=40"), "{q}");
    }
}

#[tokio::test]
async fn whole_day_dates_are_trimmed_to_the_window() {
    let sim = sim(300).await;
    let un = MTS_UN_NUMBERS[1];
    let (from, to) = (now() - Duration::hours(30), now() - Duration::hours(2));
    let c = MtsClient::new(MtsSettings {
        date_format: MtsDateFormat::DayMonthYear,
        ..settings(&sim, 1000)
    })
    .unwrap();
    let calls = c.calls_by_time(un, from, to).await.unwrap();
    let expected = sim.dataset().records(un, from, to, now());
    assert_eq!(calls.len(), expected.len());
    for (call, rec) in calls.iter().zip(&expected) {
        assert_matches(call, rec);
    }
    assert!(
        sim.queries(MtsEndpoint::CdrByTime)[0].contains("begin=03.03.2026&end=05.03.2026"),
        "{:?}",
        sim.queries(MtsEndpoint::CdrByTime)
    );
}

#[tokio::test]
async fn by_id_pages_start_inclusive_and_resume_before_late_records() {
    let sim = sim(2000).await;
    let un = MTS_UN_NUMBERS[0];
    let c = client(&sim, 1000);
    let before = sim.dataset().retained(un, now());
    let first = before[0].seqid;

    // Inclusive: the page starts with the record named, whatever its id's rank.
    let probe = c.calls_by_id(un, before[7].seqid, 3).await.unwrap();
    assert_eq!(probe.calls.len(), 3);
    for (call, rec) in probe.calls.iter().zip(&before[7..10]) {
        assert_matches(call, rec);
    }
    assert_eq!(probe.next_start_id, Some(before[10].seqid));

    // Page through everything by id, as a cursor would.
    let overlap = Duration::hours(1);
    let mut seen: Vec<NewCall> = Vec::new();
    let mut cursor = first;
    let mut last_page;
    loop {
        let page = c.calls_by_id(un, cursor, 500).await.unwrap();
        seen.extend(page.calls.iter().cloned());
        last_page = page.clone();
        match page.next_start_id {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), before.len());
    for (call, rec) in seen.iter().zip(&before) {
        assert_matches(call, rec);
    }

    // Three hours on, calls that were still running have been written *before* the
    // last record seen; resuming `overlap` back catches them.
    let later = now() + Duration::hours(3);
    sim.set_now(Some(later));
    let after = sim.dataset().retained(un, later);
    let old: HashSet<u64> = before.iter().map(|r| r.seqid).collect();
    let last_start = before.last().unwrap().start_time;
    assert!(
        after
            .iter()
            .any(|r| !old.contains(&r.seqid) && r.start_time < last_start),
        "the clock step must write records behind the cursor"
    );
    let mut cursor = last_page.resume_id(overlap).unwrap();
    let mut got: HashSet<String> = seen.iter().map(|c| c.provider_call_id.clone()).collect();
    loop {
        let page = c.calls_by_id(un, cursor, 500).await.unwrap();
        got.extend(page.calls.iter().map(|c| c.provider_call_id.clone()));
        match page.next_start_id {
            Some(next) => cursor = next,
            None => break,
        }
    }
    let missing: Vec<u64> = after
        .iter()
        .filter(|r| !got.contains(&r.seqid.to_string()))
        .map(|r| r.seqid)
        .collect();
    assert!(missing.is_empty(), "missed {missing:?}");
}

#[tokio::test]
async fn every_envelope_error_keeps_its_code_message_and_kind() {
    let sim = sim(150).await;
    let c = client(&sim, 1000);
    let un = MTS_UN_NUMBERS[0];
    let cases = [
        (400, ErrorKind::InvalidRequest),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Authentication),
        (404, ErrorKind::NotFound),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::ProviderFault),
        (503, ErrorKind::ProviderFault),
    ];
    let endpoints = [
        MtsEndpoint::UnList,
        MtsEndpoint::UnSettings,
        MtsEndpoint::CdrByTime,
        MtsEndpoint::CdrById,
    ];
    for (code, kind) in cases {
        for endpoint in endpoints {
            for http_status in [None, Some(200)] {
                let msg = format!("ошибка {code} на {endpoint:?}");
                sim.fail_next(MtsFailure {
                    endpoint,
                    status_code: code,
                    status_msg: msg.clone(),
                    http_status,
                    times: 1,
                });
                let err = match endpoint {
                    MtsEndpoint::UnList => c.un_numbers().await.map(|_| ()),
                    MtsEndpoint::UnSettings => c.un_settings(un).await.map(|_| ()),
                    MtsEndpoint::CdrByTime => c
                        .calls_by_time(un, now() - Duration::hours(2), now())
                        .await
                        .map(|_| ()),
                    MtsEndpoint::CdrById => c.calls_by_id(un, 1, 10).await.map(|_| ()),
                }
                .unwrap_err();
                let MtsError::Api {
                    status_code,
                    status_msg,
                } = &err
                else {
                    panic!("{endpoint:?} {code}: {err:?}")
                };
                assert_eq!(
                    (*status_code, status_msg.as_str()),
                    (i64::from(code), msg.as_str())
                );
                assert_eq!(err.kind(), kind, "{code}");
                let info = err.provider_info().unwrap();
                assert_eq!((info.code, info.message), (code.to_string(), msg));
            }
        }
    }
    // A record id the API does not know is its own 404.
    let err = c.calls_by_id(un, 12345, 10).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn authentication_is_configurable_and_enforced() {
    let sim = sim_with(
        150,
        MtsSimAuth::Bearer {
            token: "t0ken".into(),
        },
    )
    .await;
    let with = |auth| {
        MtsClient::new(MtsSettings {
            auth,
            ..settings(&sim, 1000)
        })
        .unwrap()
    };
    let bearer = with(MtsAuth::Bearer {
        token: SecretString::from("t0ken"),
    });
    assert_eq!(bearer.un_numbers().await.unwrap(), MTS_UN_NUMBERS);
    let err = with(basic()).un_numbers().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(err.provider_info().unwrap().code, "401");

    let header_sim = sim_with(
        150,
        MtsSimAuth::Header {
            name: "X-Api-Key".into(),
            value: "k".into(),
        },
    )
    .await;
    let c = MtsClient::new(MtsSettings {
        auth: MtsAuth::Header {
            name: "X-Api-Key".into(),
            value: SecretString::from("k"),
        },
        ..settings(&header_sim, 1000)
    })
    .unwrap();
    assert_eq!(c.un_numbers().await.unwrap(), MTS_UN_NUMBERS);
}

/// The spec as shipped with the repo, checked against `shared/specs` where that exists.
#[test]
fn the_spec_fixture_is_the_shared_spec() {
    let text = callboard_system_tests::spec_fixture("mts-autosecretary.md");
    assert_eq!(text, MTS_SPEC, "the simulator serves the fixture");
}

#[tokio::test]
async fn every_spec_example_is_served_verbatim_and_parsed() {
    let sim = sim(150).await;
    let c = MtsClient::new(MtsSettings {
        date_format: MtsDateFormat::DayMonthYear,
        ..settings(&sim, 1000)
    })
    .unwrap();

    // L276–282: the UN list.
    assert_eq!(c.un_numbers().await.unwrap(), ["9854071111", "9854079998"]);

    // L62–109: two fences, `voice_email` unquoted, `ab_ext_enabled` as spelled there.
    let un = c.un_settings(MTS_SPEC_UN).await.unwrap();
    assert_eq!(un.phone.as_deref(), Some("4954071111"));
    assert_eq!(un.voice_email.as_deref(), Some("user@mts.ru"));
    assert_eq!(un.conf_email.as_deref(), Some("user@mts.ru"));
    assert_eq!(un.updated_on.as_deref(), Some("2012-10-1T11:25:06"));
    assert_eq!((un.time_zone, un.max_queue_time), (Some(0), Some(20)));
    assert_eq!(un.ab_ext_enabled, Some(false));
    assert_eq!(un.dn_list.len(), 1);
    assert_eq!(un.dn_list[0].phone.as_deref(), Some("89161000232"));
    assert_eq!(un.dn_list[0].end.as_deref(), Some("23:59:59"));

    // L188 / L192–213: the example request, answered by the example record.
    let from = Utc.with_ymd_and_hms(2012, 9, 30, 21, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2012, 10, 2, 20, 0, 0).unwrap();
    let calls = c.calls_by_time(MTS_SPEC_UN, from, to).await.unwrap();
    assert!(
        sim.queries(MtsEndpoint::CdrByTime)[0]
            .starts_with("phone=4954071111&begin=01.10.2012&end=03.10.2012"),
        "{:?}",
        sim.queries(MtsEndpoint::CdrByTime)
    );
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.provider_call_id, "315001021");
    // 09:46:12 in Moscow, which was UTC+4 in 2012.
    assert_eq!(
        call.started_at,
        Utc.with_ymd_and_hms(2012, 10, 2, 5, 46, 12).unwrap()
    );
    assert_eq!(
        (call.caller.as_str(), call.callee.as_str()),
        ("+79161000932", "+74954071111")
    );
    assert_eq!(
        (call.outcome, call.talk_secs, call.total_secs),
        (Outcome::Missed, 0, 1)
    );
    assert_eq!(
        detail(call, "log"),
        Some(
            "SIP:ANI(9161000932@mdd-mg1-1ld-msk2:5061)-\nDNIS(4954071111@11.241.37.199:5061)--NO_DNS"
        )
    );
    assert_eq!(detail(call, "call_id"), Some("34460583"));

    // L226–246: `...` stands for elided records, so the page is unreadable, and saying
    // so beats skipping what it holds.
    sim.serve_example(SpecExample::CdrNextPage, 1);
    let err = c
        .calls_by_time(MTS_UN_NUMBERS[0], now() - Duration::hours(1), now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnreadableAnswer, "{err}");
    // Its link alone, as printed, still leads to the next page.
    let page = SpecExample::CdrNextPage.body();
    let start = page.find("\"links\":").unwrap();
    let end = start + page[start..].find("},").unwrap() + 1;
    let env = Envelope::parse(&format!("{{{}}}", &page[start..end])).unwrap();
    let link = env.next_page().unwrap().unwrap();
    assert_eq!(
        link.as_str(),
        "https://aa.mts.ru/api/v1/cdr/bytime?phone=9854071111&begin=2011-10-02T00:00:00&end=2012-10-03T00:00:00&start_id=73959891&limit=100"
    );
}
