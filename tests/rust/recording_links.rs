//! Recording links outlive the run that stored them: after a restart (the demo
//! simulator's port changes; MTT's links expire) a stored link is dead, and the first
//! play must ask the provider for fresh links rather than fail.

use callboard_core::{Service, ServiceOptions};
use callboard_model::{CallQuery, ErrorCode, ErrorHint};
use callboard_sim::{FailureForm, InjectedFailure, MttSim, SimOptions};
use callboard_system_tests::sim_config;
use chrono::{SubsecRound, Utc};

fn options(now: chrono::DateTime<Utc>) -> SimOptions {
    SimOptions {
        days: 2,
        calls_per_day: 60,
        now: Some(now),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_link_stored_by_an_earlier_run_is_asked_for_anew() {
    let now = Utc::now().trunc_subsecs(0);
    let data = tempfile::tempdir().unwrap();
    let start = |sim: &MttSim| {
        Service::start(
            sim_config(sim, 4),
            ServiceOptions {
                autosync: false,
                ..ServiceOptions::new(data.path().into(), false)
            },
        )
    };

    // First run: sync, and open a recording's parts, which stores its links.
    let sim = MttSim::start(options(now)).await.unwrap();
    let service = start(&sim).await.unwrap();
    let account = sim_config(&sim, 4).accounts[0].id.clone();
    service.sync_now(&account).await.unwrap();
    let page = service.list_calls(CallQuery::default()).await.unwrap();
    let call = page
        .items
        .iter()
        .find(|c| c.has_recording)
        .expect("some calls have recordings")
        .clone();
    let parts = service.recording_parts(call.id).await.unwrap();
    assert!(!parts.is_empty() && !parts[0].cached);
    service.shutdown();
    drop(service);
    sim.shutdown().await;

    // Second run: the same history from a simulator on another port.
    let sim = MttSim::start(options(now)).await.unwrap();
    let service = start(&sim).await.unwrap();
    let (path, _) = service
        .recording_file(call.id, 0)
        .await
        .expect("the dead link is replaced by a fresh one");
    assert!(std::fs::metadata(&path).unwrap().len() > 44, "real audio");
    service.shutdown();
    sim.shutdown().await;
}

#[tokio::test]
async fn a_recording_the_provider_no_longer_has_says_so() {
    let sim = MttSim::start(options(Utc::now().trunc_subsecs(0)))
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let service = Service::start(
        sim_config(&sim, 4),
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(data.path().into(), false)
        },
    )
    .await
    .unwrap();
    let account = sim_config(&sim, 4).accounts[0].id.clone();
    service.sync_now(&account).await.unwrap();
    let page = service.list_calls(CallQuery::default()).await.unwrap();
    let call = page.items.iter().find(|c| c.has_recording).unwrap().clone();
    // The provider no longer knows the recording: its link API answers 404.
    sim.fail_next(InjectedFailure {
        method: "records_urls".into(),
        form: FailureForm::Http,
        code: 404,
        message: "record not found".into(),
        times: 1,
    });
    let e = service.recording_file(call.id, 0).await.unwrap_err();
    let api = e.to_api();
    assert_eq!(api.code, ErrorCode::NotFound, "{api:?}");
    assert_eq!(api.hint, Some(ErrorHint::RecordingGone), "{api:?}");
    service.shutdown();
    sim.shutdown().await;
}
