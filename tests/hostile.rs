//! Attacker-controlled fields: display names and UPNs are escaped in the HTML and guarded in the
//! CSV; the report loads nothing from the network.

mod common;

use common::{fixture, run};

fn hostile_export(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("hostile.csv");
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
    let rows = [
        ("x1@contoso.example", "<script>alert(1)</script>"),
        ("x2@contoso.example", "<img src=x onerror=alert(2)>"),
        ("x3@contoso.example", "\"><svg onload=alert(3)>"),
        (
            "x4@contoso.example",
            "=HYPERLINK(\"http://evil.example\",\"x\")",
        ),
        ("+x5@contoso.example", "+CMD|' /C calc'!A0"),
        ("-x6@contoso.example", "-2+3"),
        ("@x7@contoso.example", "@SUM(1,2)"),
        ("x8@contoso.example", "\tTabbed"),
        (
            "<b>x9</b>@contoso.example",
            "</style><style>body{display:none}</style>",
        ),
    ];
    for (upn, name) in rows {
        w.write_record([
            upn,
            name,
            "False",
            "False",
            "False",
            "none",
            "[]",
            "2026-09-22T18:49:13Z",
        ])
        .unwrap();
    }
    // A method name is attacker-reachable too (it is kept verbatim when unknown).
    w.write_record([
        "x10@contoso.example",
        "Ten",
        "True",
        "False",
        "False",
        "none",
        "[\"<script>alert(10)</script>\",\"mobilePhone\"]",
        "2026-09-22T18:49:13Z",
    ])
    .unwrap();
    w.flush().unwrap();
    path
}

#[test]
fn hostile_values_are_escaped_in_html() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[hostile_export(dir.path())], None);
    let html = &out.html;
    for raw in [
        "<script>alert(1)</script>",
        "<img src=x onerror",
        "<svg onload",
        "<b>x9</b>",
        "</style><style>",
        "<script>alert(10)",
    ] {
        assert!(!html.contains(raw), "unescaped {raw:?} in the report");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    // The only <script>-free document: no script element at all.
    assert!(!html.to_ascii_lowercase().contains("<script"));
}

#[test]
fn csv_cells_never_start_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[hostile_export(dir.path())], None);
    let csv_text = out.csv.strip_prefix('\u{feff}').unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula-like cell {cell:?}"
            );
        }
    }
    assert!(cells > 0);
    assert!(csv_text.contains("'=HYPERLINK("));
    assert!(csv_text.contains("'+x5@contoso.example"));
    assert!(csv_text.contains("'@SUM(1,2)"));
}

#[test]
fn report_loads_nothing_from_the_network() {
    let out = run(&[fixture("registration/b-graph-beta.csv")], None);
    let html = &out.html;
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("default-src 'none'"));
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script", "<link", "<iframe", "<img", "@import", "url(", "src=",
    ] {
        assert!(!lower.contains(banned), "report contains {banned:?}");
    }
    // Every absolute URL is a plain link target or visible text, never a resource to load.
    let mut urls = 0;
    for scheme in ["https:", "http:"] {
        for (i, _) in html.match_indices(scheme) {
            urls += 1;
            let before = &html[..i];
            let in_text = before.rfind('>') > before.rfind('<');
            // Inside a tag: the attribute holding the URL must be a link or a tooltip.
            let attr = before.rfind("=\"").map(|q| {
                before[..q]
                    .rsplit(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or("")
            });
            assert!(
                in_text || matches!(attr, Some("href" | "title")),
                "URL outside a plain link: {}",
                &html[i.saturating_sub(60)..(i + 40).min(html.len())]
            );
        }
    }
    assert!(urls > 0, "the Learn links are there");
}
