//! Data-quality findings: what about the inputs a reader must know before trusting the numbers.
//! Nothing is dropped silently: skipped files and rows, duplicates, unknown method names and
//! lost columns all surface here.

use serde::Serialize;

use crate::analyze::Analysis;
use crate::ingest::{FileReport, SkippedFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The numbers are affected: read them with this in mind.
    Warning,
    /// Context, the numbers are sound.
    Info,
}

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub id: &'static str,
    pub severity: Severity,
    pub title: String,
    pub detail: String,
}

/// Days after which registration data counts as stale relative to the as-of date.
pub const STALE_DAYS: i64 = 7;

pub fn notes(analysis: &Analysis, files: &[FileReport], skipped: &[SkippedFile]) -> Vec<Note> {
    let mut notes = Vec::new();
    let d = &analysis.duplicates;
    if d.duplicate_rows > 0 {
        notes.push(Note {
            id: "duplicate-users",
            severity: Severity::Warning,
            title: format!(
                "{} duplicate row{} counted once",
                d.duplicate_rows,
                if d.duplicate_rows == 1 { "" } else { "s" }
            ),
            detail: format!(
                "{} rows describe {} distinct users (same object id, or same UPN ignoring case); the most recently updated row of each user is used. Examples: {}.",
                d.rows_read,
                d.distinct_users,
                d.examples.join(", ")
            ),
        });
    }
    let p = &analysis.population;
    for r in p.rules.iter().filter(|r| r.users == 0) {
        notes.push(Note {
            id: "exclusion-matches-nobody",
            severity: Severity::Warning,
            title: format!("Exclusion '{}' matches no user", r.rule.pattern),
            detail: format!(
                "The exclusion ({}, from {}) left nobody out: check the pattern for a typo. Patterns match the whole UPN, case ignored, with * for any run of characters and ? for one; an object id matches exactly.",
                r.rule.reason, r.rule.source
            ),
        });
    }
    if let Some(r) = p
        .role_assignments
        .as_ref()
        .filter(|r| r.non_user_assignments > 0)
    {
        notes.push(Note {
            id: "group-role-assignments",
            severity: Severity::Warning,
            title: format!(
                "{} role assignment{} to groups or applications not expanded",
                r.non_user_assignments,
                if r.non_user_assignments == 1 { "" } else { "s" }
            ),
            detail: if r.users == 0 {
                "The role assignments name no user of the registration export, only groups or applications, whose members the file does not list: admins are taken from the registration export's isAdmin alone (unknown without it). Add the members of role-assignable groups, or an export with isAdmin.".into()
            } else {
                "Members of groups that hold a role are not in the file, so they are not counted as admins unless the registration export's isAdmin says so: the admin figures may be low.".into()
            },
        });
    }
    if let Some(n) = p.not_in_users_list.filter(|n| *n > 0) {
        notes.push(Note {
            id: "not-in-users-list",
            severity: Severity::Info,
            title: format!(
                "{n} user{} of the registration export not in the users list",
                if n == 1 { "" } else { "s" }
            ),
            detail: "They count as enabled and in scope. The two exports were probably downloaded at different times, or the users list was filtered; download both on the same day for exact denominators.".into(),
        });
    }
    if !analysis.unknown_methods.is_empty() {
        let list: Vec<String> = analysis
            .unknown_methods
            .iter()
            .map(|m| format!("'{}' ({} users)", m.name, m.users))
            .collect();
        notes.push(Note {
            id: "unknown-methods",
            severity: Severity::Warning,
            title: format!(
                "{} unknown method name{} kept",
                analysis.unknown_methods.len(),
                if analysis.unknown_methods.len() == 1 { "" } else { "s" }
            ),
            detail: format!(
                "These names are not in the method taxonomy, so they count towards no tier or backup: {}. They are shown in the method mix.",
                list.join(", ")
            ),
        });
    }
    for f in files {
        for p in &f.problems {
            let severity = if (f.methods_lost > 0 && p.starts_with("methodsRegistered"))
                || p.contains("probably truncated")
            {
                Severity::Warning
            } else {
                Severity::Info
            };
            notes.push(Note {
                id: "file-problem",
                severity,
                title: format!("{}: {}", f.path, first_clause(p)),
                detail: p.clone(),
            });
        }
        if f.skipped_rows > 0 {
            let examples: Vec<String> = f
                .skipped_examples
                .iter()
                .take(5)
                .map(|r| format!("line {}: {}", r.line, r.reason))
                .collect();
            notes.push(Note {
                id: "skipped-rows",
                severity: Severity::Warning,
                title: format!(
                    "{}: {}",
                    f.path,
                    plural(f.skipped_rows as u64, "row skipped", "rows skipped")
                ),
                detail: format!("Rows left out ({}).", examples.join("; ")),
            });
        }
    }
    for s in skipped {
        notes.push(Note {
            id: "skipped-file",
            severity: Severity::Info,
            title: format!("{}: not used", s.path),
            detail: s.reason.clone(),
        });
    }
    if let Some(newest) = analysis.newest_update {
        let age = (analysis.as_of - newest.date_naive()).num_days();
        if age > STALE_DAYS {
            notes.push(Note {
                id: "stale-export",
                severity: Severity::Warning,
                title: format!("Registration data is {age} days older than the report date"),
                detail: format!(
                    "The newest lastUpdatedDateTime is {}, the as-of date {}. Users may have registered since; download a fresh export.",
                    newest.format("%Y-%m-%d %H:%M UTC"),
                    analysis.as_of
                ),
            });
        }
        if let Some(oldest) = analysis.oldest_update {
            let spread = (newest - oldest).num_days();
            if spread > STALE_DAYS {
                notes.push(Note {
                    id: "refresh-spread",
                    severity: Severity::Info,
                    title: format!("Records were refreshed over {spread} days"),
                    detail: format!(
                        "lastUpdatedDateTime ranges from {} to {}. It is the time Microsoft last refreshed each record, not a registration time.",
                        oldest.format("%Y-%m-%d"),
                        newest.format("%Y-%m-%d")
                    ),
                });
            }
        }
    }
    if let Some(si) = &analysis.signins {
        if let (Some(start), Some(end)) = (&si.window_start, &si.window_end) {
            notes.push(Note {
                id: "signin-window",
                severity: Severity::Info,
                title: format!("Sign-ins cover {} to {}", &start[..10], &end[..10]),
                detail: format!(
                    "{} sign-ins between {start} and {end}. Users without a sign-in in this window count as \"no sign-ins\"; a short window makes that class large.",
                    si.rows
                ),
            });
        }
        if si.duplicate_rows > 0 {
            notes.push(Note {
                id: "duplicate-signins",
                severity: Severity::Info,
                title: plural(si.duplicate_rows, "sign-in read twice, counted once", "sign-ins read twice, counted once"),
                detail: "Rows with the same request ID and time (overlapping downloads, or the same range as CSV and JSON) are counted once.".into(),
            });
        }
        let missing = si
            .registered_vs_used
            .iter()
            .find(|(c, _)| *c == crate::analyze::signins::UsageClass::NotInRegistration)
            .map(|(_, n)| *n)
            .unwrap_or(0);
        if missing > 0 {
            notes.push(Note {
                id: "signins-not-in-registration",
                severity: Severity::Warning,
                title: format!(
                    "{} signed in but {} not in the registration export",
                    plural(missing, "user", "users"),
                    if missing == 1 { "is" } else { "are" }
                ),
                detail: format!(
                    "Matched by object id, then UPN ignoring case, then a guest's home address. They may be disabled, deleted, new since the export, or filtered out of it. Examples: {}.",
                    si.not_in_registration_examples.join(", ")
                ),
            });
        }
    }
    if let Some(au) = &analysis.audit {
        if let (Some(start), Some(end)) = (&au.window_start, &au.window_end) {
            let (start_day, end_day) = (&start[..10], &end[..10]);
            notes.push(Note {
                id: "audit-window",
                severity: Severity::Info,
                title: format!("Audit events cover {start_day} to {end_day}"),
                detail: format!(
                    "{} audit events; registrations before {start_day} are not in the timeline, so the first registration of long-registered users is unknown.",
                    au.rows
                ),
            });
            if au.deadline_source == Some("argument") {
                let deadline = au.deadline.clone().unwrap_or_default();
                if end_day < deadline.as_str() {
                    notes.push(Note {
                        id: "audit-window-before-deadline",
                        severity: Severity::Warning,
                        title: format!("The audit log ends before the {deadline} deadline"),
                        detail: format!("Events end on {end_day}: registrations after that day, late ones included, are not visible. Download the audit log up to the report date."),
                    });
                }
                if start_day > deadline.as_str() {
                    notes.push(Note {
                        id: "audit-window-after-deadline",
                        severity: Severity::Warning,
                        title: format!("The audit log starts after the {deadline} deadline"),
                        detail: format!("Events start on {start_day}: every registration in it counts as late, and registrations made in time are not visible. Download the audit log from before the deadline."),
                    });
                }
            }
        }
        if !au.unknown_reasons.is_empty() {
            let list: Vec<String> = au
                .unknown_reasons
                .iter()
                .map(|(r, n)| format!("'{r}' ({n})"))
                .collect();
            notes.push(Note {
                id: "unknown-audit-reasons",
                severity: Severity::Info,
                title: plural(
                    au.unknown_reasons.len() as u64,
                    "registration reason names no known method",
                    "registration reasons name no known method",
                ),
                detail: format!("Kept and shown as written: {}.", list.join(", ")),
            });
        }
    }
    let s = &analysis.all;
    let other_types = s.users - s.members - s.guests;
    if other_types > 0 {
        notes.push(Note {
            id: "other-user-types",
            severity: Severity::Info,
            title: format!("{other_types} users are neither member nor guest"),
            detail: "Their userType is another value (for example unknownFutureValue); they count in the totals but in neither the member nor the guest breakdown.".into(),
        });
    }
    if s.admins.is_none() {
        notes.push(Note {
            id: "no-admin-column",
            severity: Severity::Info,
            title: "Admins cannot be identified".into(),
            detail: "The export has no isAdmin column (the default portal download does not), so admin findings need data. Export with Graph PowerShell to include it.".into(),
        });
    }
    notes
}

/// "1 user", "2 users".
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn first_clause(s: &str) -> String {
    let end = s.find([':', '(']).unwrap_or(s.len()).min(90);
    let mut end = end;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].trim().to_string()
}
