//! The `entra-mfa-report` command: argument parsing and exit codes only; the work is in the
//! library.

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use entra_mfa_report::cli::{Cli, Command};
use entra_mfa_report::{config, ingest, progress, run_report, ReportOptions};

/// Polars allocates and frees large buffers at a high rate; glibc's allocator spends much of a
/// large run consolidating and returning them, mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's option setter (`mimalloc.h`).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in the mimalloc v3 option enum (`mimalloc.h`; the `mimalloc` crate
/// version is pinned by Cargo.lock): how long freed memory is kept before it goes back to the
/// system. Set to 10 ms: returning it at once made the kernel unmap and clear pages that were
/// reused moments later (0.6 s of a million-user run); mimalloc's own default (1 s) holds
/// too much at the peak. 10 ms costs about 10 MiB of peak memory.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// `mi_option_allow_thp` in the same enum. mimalloc asks the kernel for transparent huge pages
/// on its arenas; every page purged and touched again is then cleared 2 MiB at a time, which
/// costs a large run about a second of kernel time and 60 MiB of peak memory.
const MI_OPTION_ALLOW_THP: std::ffi::c_int = 43;

/// Turns transparent huge pages off before the first allocation: the runtime allocates before
/// `main`, and the arena made then would keep them. Runs from the ELF constructor list, which
/// the loader calls before the Rust runtime starts; priority 100 puts it before mimalloc's own
/// constructor, which has priority 101 when mimalloc is built by clang and none (later still)
/// when built by gcc.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00100")]
static NO_HUGE_PAGES: extern "C" fn() = {
    extern "C" fn no_huge_pages() {
        // SAFETY: sets a plain integer option; mimalloc reads options lazily, so this is valid
        // before it has allocated anything.
        unsafe { mi_option_set(MI_OPTION_ALLOW_THP, 0) };
    }
    no_huge_pages
};

fn main() -> ExitCode {
    // SAFETY: sets a plain integer option of the allocator linked in above; valid at any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report(*args),
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
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    let config = match config::find(args.config.as_deref(), &cwd) {
        Some(path) => config::load(&path)?,
        None => config::Config::default(),
    };
    let mut exclusions = config.exclusions.clone();
    exclusions.extend(args.exclude.iter().map(|e| config::exclusion_argument(e)));
    let title = args
        .title
        .or(config.title.clone())
        .or_else(|| {
            config
                .organisation
                .as_ref()
                .map(|o| format!("{o}: Entra MFA registration report"))
        })
        .unwrap_or_else(|| "Entra MFA registration report".into());
    let opts = ReportOptions {
        inputs: args.inputs,
        html: Some(args.output),
        json: args.json,
        actions: args.actions,
        users: args.users,
        xlsx: args.xlsx,
        exclusions,
        organisation: config.organisation.clone(),
        config: (config != config::Config::default()).then(|| config.path.clone()),
        baseline: args.baseline,
        as_of: args.as_of,
        deadline: args.deadline.or(config.deadline),
        title,
        generated_at: None,
        strict: args.strict,
        redact: (args.redact || args.redact_key.is_some()).then(|| entra_mfa_report::Redaction {
            passphrase: args.redact_key.clone(),
        }),
        progress: if args.quiet {
            progress::Mode::Off
        } else if args.verbose {
            progress::Mode::Log
        } else if std::io::stderr().is_terminal() {
            progress::Mode::Live
        } else {
            progress::Mode::Off
        },
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
    // Collected and written once, so a closed pipe (`inspect … | head`) ends quietly.
    let mut out = String::new();
    macro_rules! say {
        () => {
            out.push('\n')
        };
        ($($arg:tt)*) => {{
            use std::fmt::Write as _;
            let _ = writeln!(out, $($arg)*);
        }};
    }
    for (i, path) in files.iter().enumerate() {
        if i > 0 {
            say!();
        }
        let shown = ingest::display(path);
        match ingest::load(std::slice::from_ref(path)) {
            Err(e) => {
                failed = true;
                say!("{shown}");
                say!("  problem: {e}");
            }
            Ok(ingested) => {
                for s in &ingested.skipped {
                    say!("{}", s.path);
                    say!("  kind:     not a known export");
                    say!("  reason:   {}", s.reason);
                }
                for f in &ingested.files {
                    say!("{}", f.path);
                    say!("  kind:     {} ({})", f.kind.label(), f.variant);
                    say!(
                        "  rows:     {} read, {} skipped; {}, delimiter '{}'",
                        f.rows,
                        f.skipped_rows,
                        f.encoding,
                        f.delimiter
                    );
                    say!("  sha256:   {}", f.sha256);
                    if let (Some(start), Some(end)) = (&f.window_start, &f.window_end) {
                        say!("  window:   {start} to {end}");
                    }
                    if let Some(s) = &f.service {
                        say!(
                            "  service:  {} successful, {} failed, {} service principals",
                            s.success,
                            s.failure,
                            s.principals
                        );
                    }
                    say!("  columns recognized:");
                    for c in &f.recognized {
                        if c.header.trim() == c.canonical {
                            say!("    {}", c.canonical);
                        } else {
                            say!("    {} -> {}", c.header, c.canonical);
                        }
                    }
                    if !f.missing.is_empty() {
                        say!("  columns missing:");
                        for m in &f.missing {
                            say!("    {} ({})", m.name, m.effect);
                        }
                    }
                    if !f.ignored.is_empty() {
                        say!("  columns ignored: {}", f.ignored.join(", "));
                    }
                    for r in &f.skipped_examples {
                        say!("  skipped line {}: {}", r.line, r.reason);
                    }
                    for p in &f.problems {
                        say!("  problem:  {p}");
                    }
                }
            }
        }
    }
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
