//! `sunshine`: parses the command line and dispatches; errors become exit code 1 with a message.

use clap::Parser;
use sunshine_ledger::cli::{Cli, Command};
use sunshine_ledger::cli::{
    append, audit, bench, demo, export, import, init, keygen, migrate, monitor, prove, report,
    serve, sign, site, verify_proof, witness,
};

/// Memory that follows what is live (issue 13): see the dependency's note in `Cargo.toml`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx::query=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let g = &cli.global;
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Init(a) => init::run(g, a).await,
            Command::Keygen(a) => keygen::run(g, a),
            Command::Sign(a) => sign::run(g, a),
            Command::Append(a) => append::run(g, a).await,
            Command::Prove(a) => prove::run(g, a).await,
            Command::Audit(a) => audit::run(g, a).await,
            Command::Export(a) => export::run(g, a).await,
            Command::Bench(a) => bench::run(g, a).await,
            Command::Demo(a) => demo::run(g, a).await,
            Command::Import(a) => import::run(g, a).await,
            Command::Report(a) => report::run(g, a).await,
            Command::Serve(a) => serve::run(g, a).await,
            Command::Migrate(a) => migrate::run(g, a).await,
            Command::Site(a) => site::run(g, a).await,
            Command::Witness(a) => witness::run(a).await,
            Command::VerifyProof(a) => verify_proof::run(a),
            Command::Monitor(a) => monitor::run(a).await,
        }
    });
    sunshine_ledger::cli::bench_scale::peak_rss();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
