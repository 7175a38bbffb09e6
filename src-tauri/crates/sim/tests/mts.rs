//! The @втосекретарь simulator over real HTTP on loopback, read with a plain HTTP client:
//! what goes over the wire, quirks included.

use callboard_sim::mts::{
    MTS_PAGE_MAX, MTS_SIM_LOGIN, MTS_SIM_PASSWORD, MTS_SPEC_UN, MTS_UN_NUMBERS, MtsEndpoint,
    MtsFailure, MtsSim, MtsSimAuth, MtsSimOptions, SpecExample,
};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;

const NOW: &str = "2026-03-04T09:00:00Z";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

async fn sim(auth: MtsSimAuth) -> MtsSim {
    MtsSim::start(MtsSimOptions {
        now: Some(now()),
        days: 7,
        calls_per_day: 400,
        auth,
        ..MtsSimOptions::default()
    })
    .await
    .expect("simulator starts")
}

async fn get(sim: &MtsSim, path_and_query: &str) -> (StatusCode, String) {
    let resp = reqwest::Client::new()
        .get(format!("{}{path_and_query}", sim.api_url()))
        .basic_auth(MTS_SIM_LOGIN, Some(MTS_SIM_PASSWORD))
        .send()
        .await
        .expect("request sent");
    (resp.status(), resp.text().await.expect("body"))
}

/// The value of `key` in the first line of `text` that has it.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &text[at..];
    let end = rest.find([',', '\n', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim().trim_matches('"'))
}

#[tokio::test]
async fn the_spec_examples_are_served_byte_for_byte() {
    let sim = sim(MtsSimAuth::default()).await;
    assert_eq!(
        get(&sim, "un").await,
        (StatusCode::OK, SpecExample::UnList.body())
    );
    assert_eq!(
        get(&sim, &format!("un?phone={MTS_SPEC_UN}")).await,
        (StatusCode::OK, SpecExample::UnSettings.body())
    );
    assert_eq!(
        get(
            &sim,
            "cdr/bytime?phone=4954071111&begin=01.10.2012&end=03.10.2012"
        )
        .await,
        (StatusCode::OK, SpecExample::Cdr.body())
    );
    sim.serve_example(SpecExample::CdrNextPage, 1);
    let first = get(&sim, "cdr/bytime?phone=9854071111").await;
    assert_eq!(first, (StatusCode::OK, SpecExample::CdrNextPage.body()));
    assert_ne!(get(&sim, "cdr/bytime?phone=9854071111").await.1, first.1);
    assert_eq!(sim.request_count(MtsEndpoint::CdrByTime), 3);
    assert_eq!(
        sim.queries(MtsEndpoint::UnSettings),
        vec![format!("phone={MTS_SPEC_UN}")]
    );
}

#[tokio::test]
async fn pages_link_on_like_the_spec_and_start_id_is_inclusive() {
    let sim = sim(MtsSimAuth::default()).await;
    let un = MTS_UN_NUMBERS[0];
    let expected = sim
        .dataset()
        .records(un, now() - Duration::days(2), now(), now());
    assert!(expected.len() > 30, "{}", expected.len());
    let q = "begin=2026-03-02T12:00:00&end=2026-03-04T12:00:00&limit=10";
    let (status, page) = get(&sim, &format!("cdr/bytime?phone={un}&{q}")).await;
    assert_eq!(status, StatusCode::OK);
    // The link: key-less object, backslashes, a raw break three characters into `begin`.
    let link = format!(
        "\"links\":{{\"http:\\\\\\\\{}\\\\api\\\\v1\\\\cdr\\\\bytime?phone={un}&begin=202\n6-03-02T12:00:00&end=2026-03-04T12:00:00&start_id={}&limit=10\"}}",
        sim.addr(),
        expected[10].seqid
    );
    assert!(page.contains(&link), "{page}");
    // Unpadded month and day, and the raw break inside `log`.
    let moscow = expected[0]
        .start_time
        .with_timezone(&chrono_tz::Europe::Moscow);
    assert_eq!(
        field(&page, "start_time"),
        Some(moscow.format("%Y-%-m-%-dT%H:%M:%S").to_string().as_str())
    );
    assert!(page.contains("\"start_time\":\"2026-3-"), "{page}");
    assert!(page.contains(":5061)-\nDNIS("), "{page}");

    let (_, again) = get(
        &sim,
        &format!("cdr/bytime?phone={un}&{q}&start_id={}", expected[10].seqid),
    )
    .await;
    assert_eq!(
        field(&again, "seqid"),
        Some(expected[10].seqid.to_string().as_str())
    );

    let (_, byid) = get(
        &sim,
        &format!("cdr/byid?phone={un}&start_id={}&limit=3", expected[4].seqid),
    )
    .await;
    assert_eq!(
        field(&byid, "seqid"),
        Some(expected[4].seqid.to_string().as_str())
    );
    assert!(byid.contains("cdr\\\\byid?phone="), "{byid}");
}

#[tokio::test]
async fn bad_input_gets_a_4xx_envelope() {
    let sim = sim(MtsSimAuth::default()).await;
    let un = MTS_UN_NUMBERS[1];
    for (query, code) in [
        ("cdr/bytime".to_string(), 400),
        (format!("cdr/bytime?phone={un}&begin=yesterday"), 400),
        (format!("cdr/byid?phone={un}&start_id=1&limit=0"), 400),
        (format!("cdr/byid?phone={un}&start_id=12345"), 404),
        ("cdr/byid?phone=4950000000&start_id=1".to_string(), 404),
        ("un?phone=4950000000".to_string(), 404),
    ] {
        let (status, body) = get(&sim, &query).await;
        assert_eq!(status.as_u16(), code, "{query}: {body}");
        assert_eq!(field(&body, "status_code"), Some(code.to_string().as_str()));
        assert!(body.contains("\"value\":null"), "{body}");
    }
    let first = sim.dataset().retained(un, now())[0].seqid;
    let (_, body) = get(
        &sim,
        &format!("cdr/byid?phone={un}&start_id={first}&limit=5000"),
    )
    .await;
    assert_eq!(body.matches("\"seqid\":").count(), MTS_PAGE_MAX);
}

#[tokio::test]
async fn armed_errors_fire_exactly_times_in_both_http_forms() {
    let sim = sim(MtsSimAuth::default()).await;
    sim.fail_next(MtsFailure {
        endpoint: MtsEndpoint::UnList,
        status_code: 503,
        status_msg: "Сервис недоступен".into(),
        http_status: None,
        times: 1,
    });
    sim.fail_next(MtsFailure {
        endpoint: MtsEndpoint::UnList,
        status_code: 500,
        status_msg: "Ошибка".into(),
        http_status: Some(200),
        times: 1,
    });
    let (s1, b1) = get(&sim, "un").await;
    assert_eq!(
        (s1.as_u16(), field(&b1, "status_msg")),
        (503, Some("Сервис недоступен"))
    );
    let (s2, b2) = get(&sim, "un").await;
    assert_eq!((s2.as_u16(), field(&b2, "status_code")), (200, Some("500")));
    assert_eq!(get(&sim, "un").await.0, StatusCode::OK);
    assert_eq!(sim.request_count(MtsEndpoint::UnList), 3);
}

#[tokio::test]
async fn credentials_are_enforced() {
    let sim = sim(MtsSimAuth::default()).await;
    let resp = reqwest::get(format!("{}un", sim.api_url())).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().contains_key("www-authenticate"));
    assert!(resp.text().await.unwrap().contains("\"status_code\":401"));

    let sim = sim_with_token().await;
    let client = reqwest::Client::new();
    let url = format!("{}un", sim.api_url());
    let ok = client.get(&url).bearer_auth("t0ken").send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let wrong = client.get(&url).bearer_auth("other").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}

async fn sim_with_token() -> MtsSim {
    sim(MtsSimAuth::Bearer {
        token: "t0ken".into(),
    })
    .await
}
