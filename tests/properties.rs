//! Properties over arbitrary text: whatever a display name or UPN holds, the HTML report shows
//! it as text (it never opens a tag, attribute or script) and the CSV outputs hold it as a
//! value (it never starts a formula).

mod common;

use common::run;
use proptest::prelude::*;

/// Text an attacker might choose: any Unicode, and strings dense in the characters that matter
/// to HTML and spreadsheets. NUL is left out: a file holding one is refused as binary (tested
/// elsewhere).
fn hostile_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "<",
        ">",
        "\"",
        "'",
        "&",
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
        "\n",
        "/",
        "\\",
        "`",
        "{{",
        "}}",
        "{%",
        "%}",
        "<script>",
        "</style>",
        "javascript:",
        "&amp;",
        "&#60;",
        " ",
        "a",
        "é",
        "😀",
        "\u{202e}",
        ",",
        ";",
    ]);
    prop_oneof![
        "[^\u{0}]{1,24}",
        prop::collection::vec(special, 1..12).prop_map(|parts| parts.concat()),
    ]
    .prop_filter("a value with text after trimming", |s| !s.trim().is_empty())
}

/// A registration export with two users: the one under test (not MFA capable, so it has
/// actions) and a plain one.
fn export(dir: &std::path::Path, upn: &str, name: &str) -> std::path::PathBuf {
    let path = dir.join("registration.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record([
        "userPrincipalName",
        "userDisplayName",
        "isMfaCapable",
        "isPasswordlessCapable",
        "isSsprCapable",
        "defaultMfaMethod",
        "methodsRegistered",
        "lastUpdatedDateTime",
    ])
    .unwrap();
    for (u, n) in [(upn, name), ("plain@contoso.example", "Plain")] {
        w.write_record([
            u,
            n,
            "False",
            "False",
            "False",
            "none",
            "[]",
            "2026-09-22T18:49:13Z",
        ])
        .unwrap();
    }
    w.flush().unwrap();
    path
}

/// HTML text escaping as a conforming parser would undo it (the report may escape more
/// characters, e.g. `/`, which is why the check decodes rather than encodes).
fn unescape_html(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The number of tags in an HTML document: every `<` that the markup itself wrote.
fn tags(html: &str) -> usize {
    html.matches('<').count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_name_or_upn_is_text_in_html_and_a_value_in_csv(
        name in hostile_text(),
        local in hostile_text(),
    ) {
        let upn = format!("{}@contoso.example", local.trim());
        let name = name.trim().to_string();
        let dir = tempfile::tempdir().unwrap();
        let out = run(&[export(dir.path(), &upn, &name)], None);
        // The same report for harmless values: the markup must be the same size.
        let plain_dir = tempfile::tempdir().unwrap();
        let plain = run(&[export(plain_dir.path(), "x@contoso.example", "X")], None);

        // HTML: no tag, attribute or script comes from the values; the values are shown, as
        // text, wherever the report names the user.
        prop_assert_eq!(tags(&out.html), tags(&plain.html));
        let text = unescape_html(&out.html);
        prop_assert!(text.contains(&upn), "UPN not shown");
        for c in ['<', '>', '"', '\''] {
            if upn.contains(c) || name.contains(c) {
                // Present in the values, so it must have been escaped in the raw HTML: only
                // the markup's own uses remain.
                prop_assert_eq!(out.html.matches(c).count(), plain.html.matches(c).count());
            }
        }

        // CSV: the user's row holds the values exactly, guarded against formulas.
        for (csv_text, upn_col, name_col) in [(&out.csv, 1, 2), (&out.users, 1, 2)] {
            let body = csv_text.trim_start_matches('\u{feff}');
            let mut reader = csv::Reader::from_reader(body.as_bytes());
            let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            for row in &rows {
                for cell in row.iter() {
                    prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?}", cell);
                }
            }
            // The guard: a leading apostrophe before a formula character, nothing else.
            let guarded = |value: &str| -> String {
                if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    format!("'{value}")
                } else {
                    value.to_string()
                }
            };
            let row = rows.iter().find(|r| r[upn_col] == guarded(&upn));
            prop_assert!(row.is_some(), "user missing from a CSV");
            prop_assert_eq!(&row.unwrap()[name_col], guarded(&name));
        }
    }
}
