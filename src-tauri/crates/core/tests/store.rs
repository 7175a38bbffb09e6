//! The store on a real SQLite file.

use callboard_core::Store;
use callboard_core::store::CachedPart;
use callboard_model::{CallQuery, Direction, NewCall, Outcome, ProviderKind};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn call(i: u32, caller: &str, at: DateTime<Utc>) -> NewCall {
    NewCall {
        provider_call_id: format!("ID {i:08}"),
        direction: if i.is_multiple_of(2) {
            Direction::Incoming
        } else {
            Direction::Outgoing
        },
        outcome: if i.is_multiple_of(3) {
            Outcome::Missed
        } else {
            Outcome::Answered
        },
        caller: caller.to_string(),
        callee: "+74996480000".into(),
        started_at: at,
        ring_secs: 3,
        talk_secs: i,
        total_secs: 3 + i,
        cost: Some(1.5),
        currency: Some("RUB".into()),
        recording_ref: i.is_multiple_of(4).then(|| format!("ID {i:08}")),
        details: vec![],
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    (dir, store)
}

#[test]
fn upsert_is_idempotent_and_detects_changes() {
    let (_d, store) = open();
    let calls: Vec<_> = (0..50)
        .map(|i| {
            call(
                i,
                &format!("+7910000{i:04}"),
                t0() + Duration::minutes(i.into()),
            )
        })
        .collect();
    // The provider's cursor, stored with the calls as it is.
    let cursor = serde_json::json!({"synced_to": 1_700_000_000_000i64, "page": [1, "x"]});
    let s = store
        .upsert_calls("a", ProviderKind::Mtt, &calls, Some(&cursor))
        .unwrap();
    assert_eq!((s.inserted, s.updated), (50, 0));
    let s = store
        .upsert_calls("a", ProviderKind::Mtt, &calls, Some(&cursor))
        .unwrap();
    assert_eq!(
        (s.inserted, s.updated),
        (0, 0),
        "the same records twice change nothing"
    );
    assert_eq!(store.count_calls("a").unwrap(), 50);

    let mut changed = calls[7].clone();
    changed.outcome = Outcome::Busy;
    let s = store
        .upsert_calls("a", ProviderKind::Mtt, &[changed], None)
        .unwrap();
    assert_eq!((s.inserted, s.updated), (0, 1));
    // Same provider id under another account is another call.
    let s = store
        .upsert_calls("b", ProviderKind::Mtt, &calls[..1], None)
        .unwrap();
    assert_eq!(s.inserted, 1);
    assert_eq!(store.sync_record("a").unwrap().cursor, Some(cursor));
}

#[test]
fn pages_are_newest_first_and_complete() {
    let (_d, store) = open();
    // Several calls share a start time, so the id must break ties.
    let calls: Vec<_> = (0..1234)
        .map(|i| call(i, "+79100000000", t0() + Duration::seconds((i / 3).into())))
        .collect();
    store
        .upsert_calls("a", ProviderKind::Mtt, &calls, None)
        .unwrap();
    let mut seen = Vec::new();
    let mut q = CallQuery {
        limit: Some(100),
        ..Default::default()
    };
    loop {
        let page = store.list_calls(&q).unwrap();
        seen.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 1234);
    assert!(
        seen.windows(2)
            .all(|w| (w[0].started_at, w[0].id) > (w[1].started_at, w[1].id))
    );
}

#[test]
fn filters_and_number_search() {
    let (_d, store) = open();
    let calls: Vec<_> = (0..100)
        .map(|i| {
            call(
                i,
                &format!("+7910555{i:04}"),
                t0() + Duration::minutes(i.into()),
            )
        })
        .collect();
    store
        .upsert_calls("a", ProviderKind::Mtt, &calls, None)
        .unwrap();
    let q = |f: fn(&mut CallQuery)| {
        let mut q = CallQuery {
            limit: Some(1000),
            ..Default::default()
        };
        f(&mut q);
        store.list_calls(&q).unwrap().items
    };
    let hits = q(|q| q.number = Some("0042".into()));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].caller, "+79105550042");
    assert_eq!(
        q(|q| q.number = Some("8 910 555 00 42".into())).len(),
        1,
        "trunk 8 matches +7"
    );
    assert_eq!(
        q(|q| q.number = Some("4996480000".into())).len(),
        100,
        "callee matches too"
    );
    assert!(
        q(|q| q.direction = Some(Direction::Outgoing))
            .iter()
            .all(|c| c.direction == Direction::Outgoing)
    );
    assert_eq!(q(|q| q.outcome = Some(Outcome::Missed)).len(), 34);
    assert_eq!(q(|q| q.account = Some("zzz".into())).len(), 0);
    let window = q(|q| {
        q.from = Some(t0() + Duration::minutes(10));
        q.to = Some(t0() + Duration::minutes(20));
    });
    assert_eq!(window.len(), 10);
    assert_eq!(q(|q| q.provider = Some(ProviderKind::Beeline)).len(), 0);
    assert!(
        store
            .list_calls(&CallQuery {
                cursor: Some("garbage".into()),
                ..Default::default()
            })
            .is_err()
    );
    assert_eq!(q(|_| {}).iter().filter(|c| c.has_recording).count(), 25);
}

#[test]
fn recording_parts_round_trip() {
    let (_d, store) = open();
    store
        .upsert_calls(
            "a",
            ProviderKind::Mtt,
            &[call(4, "+79100000000", t0())],
            None,
        )
        .unwrap();
    let id = store.list_calls(&CallQuery::default()).unwrap().items[0].id;
    store
        .set_recording_parts(
            id,
            &[
                ("http://h/%/A_1.wav".into(), "audio/wav".into()),
                ("http://h/%/A_2.wav".into(), "audio/wav".into()),
            ],
        )
        .unwrap();
    store
        .set_part_cached(
            id,
            1,
            &CachedPart {
                file: "x.wav".into(),
                bytes: 10,
                mime: "audio/wav".into(),
                source_codec: "pcm_alaw".into(),
            },
        )
        .unwrap();
    let parts = store.recording_parts(id).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1].cached_file.as_deref(), Some("x.wav"));
    assert_eq!(parts[1].source_codec.as_deref(), Some("pcm_alaw"));
    assert_eq!(parts[0].source_codec, None);
    assert_eq!(parts[0].url, "http://h/%/A_1.wav");
}
