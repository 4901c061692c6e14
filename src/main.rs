//! The `entra-mfa-report` command: argument parsing and exit codes only; the work is in the
//! library.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use entra_mfa_report::cli::{Cli, Command};
use entra_mfa_report::{ingest, run_report, ReportOptions};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report(args),
        Command::Inspect(args) => inspect(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn report(args: entra_mfa_report::cli::ReportArgs) -> entra_mfa_report::error::Result<ExitCode> {
    let started = Instant::now();
    let opts = ReportOptions {
        inputs: args.inputs,
        html: Some(args.output),
        json: args.json,
        actions: args.actions,
        as_of: args.as_of,
        title: args.title,
        generated_at: None,
    };
    let summary = run_report(&opts)?;
    if !args.quiet {
        for s in &summary.skipped {
            eprintln!("skipped {}: {}", s.path, s.reason);
        }
        let outputs: Vec<String> = summary
            .outputs
            .iter()
            .map(|(name, path)| format!("{name} {}", path.display()))
            .collect();
        let signins = if summary.signin_rows > 0 {
            format!(" and {} sign-ins", summary.signin_rows)
        } else {
            String::new()
        };
        eprintln!(
            "read {} registration rows{signins} from {} file{} ({} users, {} with actions) in {:.2} s; wrote {}",
            summary.rows_read,
            summary.files_read,
            if summary.files_read == 1 { "" } else { "s" },
            summary.users,
            summary.users_with_actions,
            started.elapsed().as_secs_f64(),
            outputs.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect(args: entra_mfa_report::cli::InspectArgs) -> entra_mfa_report::error::Result<ExitCode> {
    let files = ingest::discover(&args.files)?;
    let mut failed = false;
    for (i, path) in files.iter().enumerate() {
        if i > 0 {
            println!();
        }
        let shown = ingest::display(path);
        match ingest::load(std::slice::from_ref(path)) {
            Err(e) => {
                failed = true;
                println!("{shown}");
                println!("  problem: {e}");
            }
            Ok(ingested) => {
                for s in &ingested.skipped {
                    println!("{}", s.path);
                    println!("  kind:     not a known export");
                    println!("  reason:   {}", s.reason);
                }
                for f in &ingested.files {
                    println!("{}", f.path);
                    println!("  kind:     {} ({})", f.kind.label(), f.variant);
                    println!(
                        "  rows:     {} read, {} skipped; {}, delimiter '{}'",
                        f.rows, f.skipped_rows, f.encoding, f.delimiter
                    );
                    println!("  sha256:   {}", f.sha256);
                    if let (Some(start), Some(end)) = (&f.window_start, &f.window_end) {
                        println!("  window:   {start} to {end}");
                    }
                    if let Some(s) = &f.service {
                        println!(
                            "  service:  {} successful, {} failed, {} service principals",
                            s.success, s.failure, s.principals
                        );
                    }
                    println!("  columns recognized:");
                    for c in &f.recognized {
                        if c.header.trim() == c.canonical {
                            println!("    {}", c.canonical);
                        } else {
                            println!("    {} -> {}", c.header, c.canonical);
                        }
                    }
                    if !f.missing.is_empty() {
                        println!("  columns missing:");
                        for m in &f.missing {
                            println!("    {} ({})", m.name, m.effect);
                        }
                    }
                    if !f.ignored.is_empty() {
                        println!("  columns ignored: {}", f.ignored.join(", "));
                    }
                    for r in &f.skipped_examples {
                        println!("  skipped line {}: {}", r.line, r.reason);
                    }
                    for p in &f.problems {
                        println!("  problem:  {p}");
                    }
                }
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
