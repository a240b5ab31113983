//! `probe-explorer`: the command-line side of Probe Explorer. Argument parsing
//! is in `args`, one module per subcommand; the work happens in `probe_core`.
//!
//! Exit status: 0 success, 1 a file could not be read or loaded, 2 bad usage.

mod args;
mod files;
mod rates;
mod score;
mod site;
mod stats;
mod tail;
mod terminal;

use std::ffi::OsString;
use std::process::ExitCode;

use args::Command;

fn main() -> ExitCode {
    run(std::env::args_os().skip(1).collect())
}

fn run(args: Vec<OsString>) -> ExitCode {
    // `score` (the local ONNX judge) parses its own arguments: see score.rs.
    if args.first().is_some_and(|command| command == "score") {
        return score::main(args.into_iter().skip(1));
    }
    // `site build` (a static companion site) too: see site.rs.
    if args.first().is_some_and(|command| command == "site") {
        return site::main(args.into_iter().skip(1));
    }
    // So does `rates` (a judge's rates against trusted labels): see rates.rs.
    if args.first().is_some_and(|command| command == "rates") {
        return rates::main(args.into_iter().skip(1));
    }
    let command = match args::parse(args) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("error: {error}\nRun 'probe-explorer --help' for usage.");
            return ExitCode::from(2);
        }
    };
    let result = match command {
        Command::Help => {
            print!("{}", args::USAGE);
            Ok(())
        }
        Command::Version => {
            println!("probe-explorer {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Stats(stats_args) => stats::run(&stats_args),
        Command::Tail(tail_args) => tail::run(&tail_args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is::<files::UnknownJudge>() => {
            eprintln!("error: {}", terminal::safe(&error.to_string()));
            ExitCode::from(2)
        }
        Err(error) => {
            // Each error is reported once, here, with its causes.
            eprintln!("error: {}", terminal::safe(&format!("{error:#}")));
            ExitCode::from(1)
        }
    }
}
