//! The per-user action list as CSV: UTF-8 with BOM so Excel opens it correctly, one row per user
//! with at least one action, highest priority first, every cell guarded against formula
//! injection.

use std::io::Write;

use polars::prelude::IntoLazy;

use super::{io, Exporter, Report};
use crate::analyze::actions;
use crate::error::Result;
use crate::methods::Tier;

pub struct ActionsCsv;

pub const HEADER: [&str; 18] = [
    "priority",
    "user_principal_name",
    "display_name",
    "user_type",
    "admin",
    "tier",
    "methods",
    "default_method",
    "action_codes",
    "actions",
    "signin_class",
    "signins",
    "successful_signins",
    "single_factor_signins",
    "mfa_methods_used",
    "first_registration",
    "last_registration",
    "audit_events",
];

/// Neutralize a cell that a spreadsheet would read as a formula: a leading `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading apostrophe (OWASP CSV injection guidance).
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Every user with the same columns as the action list, sorted by UPN; the first column gives
/// the number of the user's most urgent action rule (empty when there is none).
pub struct UsersCsv;

impl Exporter for ActionsCsv {
    fn name(&self) -> &'static str {
        "actions CSV"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        write_users(report, &report.analysis.actions, HEADER[0], out)
    }
}

impl Exporter for UsersCsv {
    fn name(&self) -> &'static str {
        "users CSV"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let frame = actions::users_frame(report.analysis.per_user.clone().lazy())
            .map_err(crate::error::Error::from)?;
        write_users(report, &frame, "first_action_rule", out)
    }
}

/// Write one row per user of `frame` (columns of `actions::actions_frame`). The first column is
/// the row's rank when `first` is `priority`, else the 1-based number of its first action rule.
fn write_users(
    report: &Report,
    frame: &polars::prelude::DataFrame,
    first: &str,
    out: &mut dyn Write,
) -> Result<()> {
    {
        out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out);
        let csv_err = |e: ::csv::Error| crate::error::Error::Internal(format!("CSV: {e}"));
        let mut header = HEADER;
        header[0] = first;
        w.write_record(header).map_err(csv_err)?;
        let ranked = first == HEADER[0];
        let priority = frame
            .column("priority")
            .map_err(crate::error::Error::from)?
            .u32()?
            .clone();
        let col = |name: &str| frame.column(name).map_err(crate::error::Error::from);
        let upn = col("upn")?.str()?.clone();
        let name = col("display_name")?.str()?.clone();
        let guest = col("is_guest")?.bool()?.clone();
        let user_type = col("user_type")?.str()?.clone();
        let admin = col("is_admin")?.bool()?.clone();
        let tier = col("tier_rank")?.u32()?.clone();
        let methods = col("methods_text")?.str()?.clone();
        let default = col("default_method")?.str()?.clone();
        let bits = col("action_bits")?.u32()?.clone();
        let class = col("signin_class")?.str()?.clone();
        let signins = col("signins")?.u32()?.clone();
        let successes = col("successes")?.u32()?.clone();
        let single = col("single_factor_successes")?.u32()?.clone();
        let used = col("mfa_used")?.str()?.clone();
        let first_reg = col("first_registration")?.str()?.clone();
        let last_reg = col("last_registration")?.str()?.clone();
        let events = col("audit_events")?.str()?.clone();
        // Without sign-in logs the sign-in columns stay empty rather than claiming zero.
        let have_signins = report.analysis.signins.is_some();
        let mut number = String::new();
        // Action texts per distinct combination of rules, built once.
        let mut texts: std::collections::HashMap<u32, (String, String)> =
            std::collections::HashMap::new();
        let mut cell = String::new();
        for i in 0..frame.height() {
            let b = bits.get(i).unwrap_or(0);
            let (codes, actions_text) = texts.entry(b).or_insert_with(|| {
                let rules: Vec<&actions::ActionRule> = actions::codes(b).collect();
                (
                    rules.iter().map(|r| r.code).collect::<Vec<_>>().join(" "),
                    rules.iter().map(|r| r.text).collect::<Vec<_>>().join(" | "),
                )
            });
            let kind = user_type.get(i).unwrap_or(if guest.get(i) == Some(true) {
                "guest"
            } else {
                "member"
            });
            cell.clear();
            if ranked {
                cell.push_str(&(i + 1).to_string());
            } else if let Some(p) = priority.get(i) {
                cell.push_str(&(p + 1).to_string());
            }
            let mut field = |v: &str| w.write_field(guard(v).as_bytes()).map_err(csv_err);
            field(&cell)?;
            field(upn.get(i).unwrap_or_default())?;
            field(name.get(i).unwrap_or_default())?;
            field(kind)?;
            field(match admin.get(i) {
                Some(true) => "yes",
                Some(false) => "no",
                None => "unknown",
            })?;
            field(
                tier.get(i)
                    .and_then(Tier::from_rank)
                    .map(|t| t.key())
                    .unwrap_or("unknown"),
            )?;
            field(methods.get(i).unwrap_or("unknown"))?;
            field(default.get(i).unwrap_or("unknown"))?;
            field(codes)?;
            field(actions_text)?;
            field(class.get(i).unwrap_or_default())?;
            for v in [signins.get(i), successes.get(i), single.get(i)] {
                use std::fmt::Write as _;
                number.clear();
                if have_signins {
                    let _ = write!(number, "{}", v.unwrap_or(0));
                }
                field(&number)?;
            }
            field(used.get(i).unwrap_or_default())?;
            field(first_reg.get(i).unwrap_or_default())?;
            field(last_reg.get(i).unwrap_or_default())?;
            field(events.get(i).unwrap_or_default())?;
            w.write_record(None::<&[u8]>).map_err(csv_err)?;
        }
        w.flush().map_err(io)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn formula_prefixes_are_neutralized() {
        for hostile in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(guard(hostile).starts_with('\''), "{hostile:?}");
        }
        assert_eq!(guard("alice@contoso.example"), "alice@contoso.example");
        assert_eq!(guard(""), "");
    }
}
