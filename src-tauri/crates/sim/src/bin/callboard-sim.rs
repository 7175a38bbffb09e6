//! `callboard-sim`: run the MTT simulator on loopback for demos and manual testing.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use callboard_sim::{MttSim, SimOptions, config_toml};
use chrono::{DateTime, Utc};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Env var the written config tells callboard to read the password from.
const PASSWORD_ENV: &str = "CALLBOARD_SIM_PASSWORD";

/// Serve a deterministic simulation of MTT's call-history and recording APIs.
#[derive(Debug, Parser)]
#[command(name = "callboard-sim", version)]
struct Args {
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
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
