//! `callboard-sim`: run the MTT simulator on loopback for demos and manual testing, or
//! (`callboard-sim fill`) fill a callboard store with many generated calls.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use callboard_sim::{
    DEFAULT_FILL_DAYS, FILL_BATCH, FillOptions, MttSim, SimOptions, config_toml, fill_in_batches,
    fill_target, store_holds_calls,
};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Env var the written config tells callboard to read the password from.
const PASSWORD_ENV: &str = "CALLBOARD_SIM_PASSWORD";

/// Serve a deterministic simulation of MTT's call-history and recording APIs
/// (no subcommand), or fill a callboard store with generated calls (`fill`).
#[derive(Debug, Parser)]
#[command(
    name = "callboard-sim",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fill the store `callboard-server --data-dir DIR [--config FILE]` reads with N
    /// realistic calls (deterministic for a seed), through the store's own write path.
    Fill(FillArgs),
}

#[derive(Debug, clap::Args)]
struct FillArgs {
    /// How many calls to generate, over all accounts.
    #[arg(long)]
    calls: u64,
    /// The data dir: the calls go to DIR/callboard.db for a config with accounts, else
    /// to the demo's DIR/demo/callboard.db (as callboard-server decides).
    #[arg(long, value_name = "DIR")]
    data_dir: PathBuf,
    /// Seed of the generated calls; same seed, same calls.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Days of history back from now.
    #[arg(long, default_value_t = DEFAULT_FILL_DAYS)]
    days: u32,
    /// The callboard config whose accounts get the calls (equal shares); without one,
    /// or without accounts in it, the demo's accounts.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Add to a store that already holds calls (use another seed: a seed's calls are
    /// written once).
    #[arg(long)]
    append: bool,
    /// End of the history, RFC 3339, instead of now.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// Calls per write transaction.
    #[arg(long, default_value_t = FILL_BATCH, hide = true)]
    batch: usize,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8790")]
    bind: SocketAddr,
    /// Seed of the simulated history; same seed, same calls.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Days of history visible back from now.
    #[arg(long, default_value_t = 28)]
    days: u32,
    /// Average number of calls per day.
    #[arg(long, default_value_t = 150)]
    calls_per_day: u32,
    /// Freeze the clock at this RFC 3339 time instead of following the wall clock.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// Write a callboard config pointing at this simulator to PATH.
    #[arg(long, value_name = "PATH")]
    write_config: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Fill(args)) => run_fill(args),
        None => tokio::runtime::Runtime::new()
            .context("cannot start the async runtime")?
            .block_on(serve(cli.serve)),
    }
}

fn run_fill(args: FillArgs) -> anyhow::Result<()> {
    let config = match &args.config {
        Some(path) => Some(
            callboard_core::Config::load(path)
                .with_context(|| format!("cannot read the config {}", path.display()))?,
        ),
        None => None,
    };
    let target = fill_target(&args.data_dir, config.as_ref());
    if !args.append && store_holds_calls(&target.db_path)? {
        bail!(
            "{} already holds calls; pass --append (with another --seed) to add to them",
            target.db_path.display()
        );
    }
    let names: Vec<&str> = target.accounts.iter().map(|a| a.id.as_str()).collect();
    println!(
        "filling {} ({}) with {} calls for {}",
        target.db_path.display(),
        if target.demo { "demo" } else { "config" },
        args.calls,
        names.join(", ")
    );
    let opts = FillOptions {
        calls: args.calls,
        seed: args.seed,
        days: args.days,
        now: args.now.unwrap_or_else(Utc::now),
        accounts: target.accounts,
    };
    let report = fill_in_batches(&target.db_path, &opts, args.batch)?;
    println!(
        "wrote {} calls ({} client numbers, {} account(s)) to {} in {:.1} s: {:.0} calls/s",
        report.calls,
        report.distinct_numbers,
        report.accounts,
        target.db_path.display(),
        report.elapsed.as_secs_f64(),
        report.calls_per_sec()
    );
    println!(
        "{:.1} s of it in the store ({:.0}%)",
        report.in_store.as_secs_f64(),
        100.0 * report.in_store.as_secs_f64() / report.elapsed.as_secs_f64().max(1e-9)
    );
    if report.calls < args.calls {
        println!(
            "{} generated calls were already stored (same seed?) and were skipped",
            args.calls - report.calls
        );
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let sim = MttSim::start(SimOptions {
        bind: args.bind,
        seed: args.seed,
        days: args.days,
        calls_per_day: args.calls_per_day,
        now: args.now,
    })
    .await
    .with_context(|| format!("cannot listen on {}", args.bind))?;

    if let Some(path) = &args.write_config {
        let toml = config_toml(&sim.base_url(), &sim.account(), PASSWORD_ENV);
        std::fs::write(path, toml)
            .with_context(|| format!("cannot write config to {}", path.display()))?;
        println!("wrote callboard config to {}", path.display());
        println!("export {PASSWORD_ENV}={}", sim.account().password);
    }
    println!("{}", sim.base_url());

    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")?;
    tracing::info!("shutting down");
    sim.shutdown().await;
    Ok(())
}
