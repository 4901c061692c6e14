//! Progress on stderr for long runs: the file being read and its rows so far, then each phase.
//! Shown only when stderr is a terminal (a live, self-erasing line) or with `--verbose` (one
//! line per step with the time it took, for logs and benchmarks); silent otherwise.

use std::io::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Nothing (tests, pipes, `--quiet`).
    #[default]
    Off,
    /// One line, rewritten in place, erased at the end: for a terminal.
    Live,
    /// A line per finished step, with its duration.
    Log,
}

/// Reports progress; cheap to call often (updates are throttled).
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    started: Instant,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    last_draw: Option<Instant>,
    step: Option<(String, Instant)>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new(Mode::Off)
    }
}

impl Progress {
    pub fn new(mode: Mode) -> Self {
        Progress {
            mode,
            started: Instant::now(),
            state: Mutex::new(State {
                last_draw: None,
                step: None,
            }),
        }
    }

    /// Start a step (ends the one before).
    pub fn step(&self, what: &str) {
        if self.mode == Mode::Off {
            return;
        }
        self.end_step();
        if let Ok(mut s) = self.state.lock() {
            s.step = Some((what.to_string(), Instant::now()));
        }
        if self.mode == Mode::Live {
            self.draw(what, true);
        }
    }

    /// Rows read so far in the current file.
    pub fn rows(&self, file: &str, rows: u64) {
        if self.mode != Mode::Live {
            return;
        }
        self.draw(&format!("reading {file}: {} rows", thousands(rows)), false);
    }

    /// End the current step (and, live, erase the line).
    pub fn end_step(&self) {
        let Ok(mut s) = self.state.lock() else { return };
        if let Some((what, at)) = s.step.take() {
            if self.mode == Mode::Log {
                let memory = peak_memory()
                    .map(|b| format!(", peak memory {} MiB", b >> 20))
                    .unwrap_or_default();
                eprintln!(
                    "[{:7.2} s] {what} ({:.2} s{memory})",
                    self.started.elapsed().as_secs_f64(),
                    at.elapsed().as_secs_f64()
                );
            }
        }
        if self.mode == Mode::Live {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }

    fn draw(&self, text: &str, force: bool) {
        let Ok(mut s) = self.state.lock() else { return };
        let now = Instant::now();
        if !force
            && s.last_draw
                .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
        {
            return;
        }
        s.last_draw = Some(now);
        eprint!("\r\x1b[2K{text}");
        let _ = std::io::stderr().flush();
    }
}

/// The process's peak resident memory so far, where the system tells (Linux).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(2_000_000), "2,000,000");
    }
}
