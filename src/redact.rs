//! `--redact`: a report to share beyond the review team. Every user is named by a pseudonym
//! (`user-3fa9c2e1b07d`) in the HTML, the JSON and both CSV files alike, so one user can still
//! be followed from the summary to the action list; counts and percentages are unchanged.
//!
//! The pseudonym is a keyed hash (HMAC-SHA-256) of the user's lower-cased UPN (or object id
//! when there is no UPN): without the key, a pseudonym cannot be turned back into a name, not
//! even by hashing a list of candidate UPNs. The key is random for each run, unless
//! `--redact-key` gives a passphrase, which keeps the pseudonyms of the same users stable from
//! one run (one review) to the next.
//!
//! Redaction runs on the analysis, after every figure is computed and before findings, notes
//! and outputs are made from it, so nothing downstream sees a real name. Messages about input
//! files (skipped rows, unreadable values) lose the cell values they quote.

use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::analyze::Analysis;
use crate::ingest::{FileReport, SkippedFile};

/// Hex digits of a pseudonym: 48 bits, so that among a million users two share one about once
/// in five hundred reports (and a shared pseudonym changes no figure: it only names users).
const PSEUDONYM_HEX: usize = 12;

pub struct Redactor {
    key: [u8; 32],
}

impl Redactor {
    /// A redactor keyed by `passphrase`, or by a random key when there is none.
    pub fn new(passphrase: Option<&str>) -> Self {
        let key = match passphrase {
            Some(p) => Sha256::digest(p.as_bytes()).into(),
            None => random_key(),
        };
        Redactor { key }
    }

    /// The pseudonym of a user identified by `identity` (a UPN or an object id, any case).
    pub fn user(&self, identity: &str) -> String {
        let mac = hmac_sha256(&self.key, identity.trim().to_lowercase().as_bytes());
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        format!("user-{}", &hex[..PSEUDONYM_HEX])
    }

    /// `text` without the values it quotes (`'…'`): a message about a file's content may cite
    /// any cell. Column names (after `column `) stay, so the message still says where to look.
    pub fn message(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('\'') {
            let Some(len) = rest[open + 1..].find('\'') else {
                break;
            };
            let (before, quoted) = (&rest[..open], &rest[open + 1..open + 1 + len]);
            out.push_str(before);
            if before.ends_with("column ") {
                out.push('\'');
                out.push_str(quoted);
                out.push('\'');
            } else {
                out.push_str("'…'");
            }
            rest = &rest[open + len + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Replace every user name in the analysis by its pseudonym.
    pub fn analysis(&self, a: &mut Analysis) -> PolarsResult<()> {
        a.per_user = self.frame(std::mem::take(&mut a.per_user))?;
        a.actions = self.frame(std::mem::take(&mut a.actions))?;
        for upn in &mut a.duplicates.examples {
            *upn = self.user(upn);
        }
        if let Some(s) = &mut a.signins {
            for u in s
                .top_not_capable
                .iter_mut()
                .chain(&mut s.top_repeated_denials)
                .chain(&mut s.top_legacy)
            {
                u.upn = self.user(&u.upn);
            }
            for who in &mut s.not_in_registration_examples {
                *who = self.user(who);
            }
        }
        for u in &mut a.population.excluded_users {
            u.upn = self.user(&u.upn);
            u.display_name = None;
        }
        for r in &mut a.population.rules {
            // A pattern without wildcards names one user: it gets that user's pseudonym. One
            // with wildcards may still name a person (`jane.doe*`): it gets a pseudonym of its
            // own.
            r.rule.pattern = if r.rule.pattern.contains(['*', '?']) {
                let mac = hmac_sha256(&self.key, format!("pattern\0{}", r.rule.pattern).as_bytes());
                let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
                format!("pattern-{}", &hex[..PSEUDONYM_HEX])
            } else {
                self.user(&r.rule.pattern)
            };
        }
        if let Some(audit) = &mut a.audit {
            for u in audit
                .late_users
                .iter_mut()
                .chain(&mut audit.default_to_phone_users)
            {
                u.user = self.user(&u.user);
            }
            if let Some(origin) = &mut audit.registration_origin {
                for e in &mut origin.examples {
                    e.user = self.user(&e.user);
                }
            }
        }
        Ok(())
    }

    /// The input files' messages without the values they quote.
    pub fn files(&self, files: &mut [FileReport], skipped: &mut [SkippedFile]) {
        for f in files {
            for row in &mut f.skipped_examples {
                row.reason = self.message(&row.reason);
            }
            for p in &mut f.problems {
                *p = self.message(p);
            }
        }
        for s in skipped {
            s.reason = self.message(&s.reason);
        }
    }

    /// A per-user frame with `upn`, `upn_key` and `id` (those present) replaced by the
    /// pseudonym of each row's user, and `display_name` left empty (the pseudonym already
    /// names the person).
    fn frame(&self, mut frame: DataFrame) -> PolarsResult<DataFrame> {
        let text = |name: &str| -> PolarsResult<Option<StringChunked>> {
            match frame.column(name) {
                Ok(c) => Ok(Some(c.str()?.clone())),
                Err(_) => Ok(None),
            }
        };
        let (upn, key, id) = (text("upn")?, text("upn_key")?, text("id")?);
        let pseudonyms: Vec<Option<String>> = (0..frame.height())
            .map(|i| {
                let identity = key
                    .as_ref()
                    .and_then(|k| k.get(i))
                    .or_else(|| upn.as_ref().and_then(|u| u.get(i)))
                    .or_else(|| id.as_ref().and_then(|d| d.get(i)))?;
                Some(self.user(identity))
            })
            .collect();
        if frame.column("display_name").is_ok() {
            let none = StringChunked::full_null("display_name".into(), frame.height());
            frame.with_column(none.into_column())?;
        }
        for name in ["upn", "upn_key", "id"] {
            let Ok(column) = frame.column(name) else {
                continue;
            };
            // Keep a missing value missing.
            let present = column.is_not_null();
            let values = StringChunked::from_iter_options(
                name.into(),
                pseudonyms
                    .iter()
                    .zip(present.iter())
                    .map(|(p, has)| p.as_deref().filter(|_| has == Some(true))),
            );
            frame.with_column(values.into_column())?;
        }
        Ok(frame)
    }
}

/// HMAC-SHA-256 (RFC 2104) of `message` under a 32-byte key.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let (mut inner_pad, mut outer_pad) = ([0x36u8; 64], [0x5cu8; 64]);
    for (i, k) in key.iter().enumerate() {
        inner_pad[i] ^= k;
        outer_pad[i] ^= k;
    }
    let inner = Sha256::new()
        .chain_update(inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// A key nobody can reproduce: the standard library's per-process random hash keys (drawn from
/// the operating system's random source) and the current time, hashed.
fn random_key() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut seed = Sha256::new();
    for i in 0..4u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        seed.update(h.finish().to_le_bytes());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    seed.update(now.to_le_bytes());
    seed.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_style_vector() {
        // HMAC-SHA-256 with key = 32 bytes of 0x0b and "Hi There", computed independently
        // (Python: hmac.new(b"\x0b" * 32, b"Hi There", "sha256").hexdigest()).
        let mac = hmac_sha256(&[0x0b; 32], b"Hi There");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"
        );
    }

    #[test]
    fn pseudonyms_are_stable_per_key_and_ignore_case() {
        let a = Redactor::new(Some("review 2026"));
        let b = Redactor::new(Some("review 2026"));
        let c = Redactor::new(Some("another key"));
        let p = a.user("Alice@Contoso.example");
        assert_eq!(p, b.user("alice@contoso.example "));
        assert_ne!(p, c.user("alice@contoso.example"));
        assert_ne!(p, a.user("bob@contoso.example"));
        assert!(p.starts_with("user-") && p.len() == 5 + PSEUDONYM_HEX);
        let random = Redactor::new(None);
        assert_ne!(
            random.user("alice@contoso.example"),
            Redactor::new(None).user("alice@contoso.example")
        );
    }

    #[test]
    fn messages_lose_quoted_values_but_keep_column_names() {
        let r = Redactor::new(Some("k"));
        assert_eq!(
            r.message(
                "not read: line 4: column 'isMfaCapable': 'alice@contoso.example' is not a boolean"
            ),
            "not read: line 4: column 'isMfaCapable': '…' is not a boolean"
        );
        assert_eq!(r.message("no quotes"), "no quotes");
        assert_eq!(r.message("odd ' quote"), "odd ' quote");
    }
}
