//! Sync and query figures over the real stack (simulator over loopback HTTP, MTT client,
//! sync engine, SQLite on disk). Prints its figures; run with
//! `cargo bench -p callboard-system-tests --bench sync`.

use std::time::{Duration, Instant};

use callboard_model::CallQuery;
use callboard_system_tests::World;

/// The median of `runs` timings of `f`.
async fn median<F, Fut>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn full_sync(label: &str, w: &World) {
    let t = Instant::now();
    let n = w
        .service
        .sync_now(&w.account)
        .await
        .expect("sync")
        .stats
        .inserted;
    let took = t.elapsed();
    println!(
        "full sync, {label}: {n} calls in {:.2} s = {:.0} calls/s ({} MTT requests)",
        took.as_secs_f64(),
        f64::from(n) / took.as_secs_f64(),
        w.sim.request_count("getServiceHistoryByCustomer")
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Four weeks at 1,000 calls a day: the 1000-row cap splits most windows. Once without
    // a rate limit, which shows what the pipeline itself sustains, then at the client's
    // default limit (MTT throttles at ~10 requests/s).
    full_sync(
        "unthrottled",
        &World::start_with_rate(28, 1000, Some(10_000)).await,
    )
    .await;
    let w = World::start(28, 1000).await;
    full_sync("at the 8 requests/s limit", &w).await;
    let t = Instant::now();
    let again = w.service.sync_now(&w.account).await.expect("re-sync");
    println!(
        "re-sync (last hour, nothing changed): {} rows read in {:.0} ms, {} written",
        again.fetched,
        ms(t.elapsed()),
        again.stats.inserted + again.stats.updated
    );

    let page = |q: CallQuery| {
        let s = w.service.clone();
        move || {
            let s = s.clone();
            let q = q.clone();
            async move {
                s.list_calls(q).await.expect("page");
            }
        }
    };
    let first = median(
        51,
        page(CallQuery {
            limit: Some(500),
            ..Default::default()
        }),
    )
    .await;
    println!("first page of 500: median {:.2} ms", ms(first));
    let search = CallQuery {
        number: Some("4567".into()),
        limit: Some(500),
        ..Default::default()
    };
    println!(
        "number search (4 digits): median {:.2} ms",
        ms(median(51, page(search)).await)
    );
    let mut q = CallQuery {
        limit: Some(500),
        ..Default::default()
    };
    for _ in 0..40 {
        match w.service.list_calls(q.clone()).await.unwrap().next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    println!(
        "a deep page (keyset, ~20,000 rows in): median {:.2} ms",
        ms(median(51, page(q)).await)
    );
}
