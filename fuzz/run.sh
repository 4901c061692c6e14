#!/usr/bin/env bash
# Seed the corpora and fuzz every target for a bounded time.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, all targets)
#
# Builds and runs under `nice -n 19` with `--sanitizer none` (safe Rust: we look for panics,
# integer overflows — cargo-fuzz builds with debug assertions and overflow checks on —, hangs
# and excessive memory). Corpora go to fuzz/corpus/<target>/, crashes to
# fuzz/artifacts/<target>/, full fuzzer output to fuzz/logs/<target>.log (all gitignored).
set -u

SECS="${1:-60}"
shift || true
FUZZ_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
FIXTURES="$ROOT/tests/fixtures"
ALL_TARGETS=(load_csv load_json load_zip dates text report)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
NICE=(nice -n 19)

# (a) cargo-fuzz
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    "${NICE[@]}" cargo install cargo-fuzz --locked || exit 1
fi

# (b) seed corpora (existing entries, including what earlier runs found, are kept)
seed_files() { # <target> <find -name pattern>
    local dir="$FUZZ_DIR/corpus/$1"
    mkdir -p "$dir"
    find "$FIXTURES" -type f -name "$2" -exec cp -f {} "$dir/" \;
}
seed_strings() { # <target> <string>...
    local dir="$FUZZ_DIR/corpus/$1" i=0
    mkdir -p "$dir"
    shift
    for s in "$@"; do
        printf '%s' "$s" >"$dir/seed-$i"
        i=$((i + 1))
    done
}
seed_files load_csv '*.csv'
seed_files report '*.csv'
seed_files load_json '*.json'
seed_files load_zip '*.zip'
# Extra archive seeds: a registration export alone, one inside a folder with an audit log,
# and a workbook (the archive target reaches the .xlsx reader: detection is by content).
if command -v python3 >/dev/null 2>&1; then
    python3 - "$FIXTURES" "$FUZZ_DIR/corpus/load_zip" <<'PY'
import sys, zipfile, pathlib
fx, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
with zipfile.ZipFile(out / "registration.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(fx / "registration/a-portal.csv", "a-portal.csv")
with zipfile.ZipFile(out / "nested.zip", "w", zipfile.ZIP_STORED) as z:
    z.write(fx / "registration/e-semicolon-bom.csv", "exports/reg.csv")
    z.write(fx / "audit/es-AuditLogs.csv", "exports/audit.csv")
# A minimal .xlsx workbook (zip with xl/workbook.xml, inline strings): the first rows of a
# registration export, so the workbook reader is reached from the archive target too.
from xml.sax.saxutils import escape
import csv
rows = list(csv.reader(open(fx / "registration/a-portal.csv", encoding="utf-8-sig")))[:4]
def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
cells = "".join(
    '<row r="%d">%s</row>' % (r + 1, "".join(
        '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(c), r + 1, escape(v))
        for c, v in enumerate(row)))
    for r, row in enumerate(rows))
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
with zipfile.ZipFile(out / "registration.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>')
    z.writestr("_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % rel)
    z.writestr("xl/workbook.xml",
        '<?xml version="1.0" encoding="UTF-8"?><workbook %s xmlns:r="%s"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>' % (ns, rel))
    z.writestr("xl/_rels/workbook.xml.rels",
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' % rel)
    z.writestr("xl/worksheets/sheet1.xml",
        '<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>%s</sheetData></worksheet>' % (ns, cells))
PY
fi
DATE_SEEDS=(
    '2026-09-22T18:49:13.142503Z' '2026-11-20T05:59:59Z' '2026-11-20T07:59:59+02:00'
    '2024-02-29T23:00:00.5Z' '2026-09-18T21:36:33.9174556Z' '1999-12-31T00:00:00'
    '3/13/2023 7:15:41 PM' '12/1/2023 12:05 AM' '03/13/2023 19:15:41'
    '13.03.2023 19:15:41' '13.03.2023 19:15' '2026-09-22 18:49' '2026-09-22' '13.03.2023' ''
)
seed_strings dates "${DATE_SEEDS[@]}"
seed_strings text "${DATE_SEEDS[@]:0:3}" '["a","b"]' \
    '["microsoftAuthenticatorPush","softwareOneTimePasscode"]' 'a, b;c' $'a\r\nb\n' \
    'System.String[]' 'System.Collections.Generic.List' 'True' 'Not Capable' 'sí' '' \
    $'#TYPE Microsoft.Graph\r\n\r\n"Id";"UserPrincipalName"\r\n1;a@b\r\n' \
    $'\xEF\xBB\xBFa,b\n1,2\n'
# UTF-16 seeds hold NUL bytes, which a shell string cannot: printf writes them.
printf '\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00' >"$FUZZ_DIR/corpus/text/seed-utf16le"
printf '\xfe\xff\x00a\x00\t\x00b\x00\n\x001\x00\t\x002' >"$FUZZ_DIR/corpus/text/seed-utf16be"

# (c) build, then fuzz each target for $SECS seconds
cd "$ROOT" || exit 1
mkdir -p "$FUZZ_DIR/logs"
echo "== building (sanitizer none)"
start=$(date +%s)
"${NICE[@]}" cargo +nightly fuzz build --sanitizer none || exit 1
echo "== build took $(( $(date +%s) - start )) s"

max_len() {
    case "$1" in
        dates) echo 256 ;;
        text) echo 4096 ;;
        *) echo 65536 ;;
    esac
}

SUMMARY=()
for t in "${TARGETS[@]}"; do
    log="$FUZZ_DIR/logs/$t.log"
    echo "== fuzzing $t for $SECS s (log: $log)"
    start=$(date +%s)
    "${NICE[@]}" cargo +nightly fuzz run --sanitizer none "$t" -- \
        -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len="$(max_len "$t")" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -n "$execs" ] || execs=$(grep -o '^Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*')
    cov=$(grep -Eo '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 | grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+')
    if [ "$rc" -eq 0 ]; then
        result="no crash"
    else
        kind=$(grep -Eo 'ERROR: libFuzzer: [a-z -]+' "$log" | head -1 | sed 's/ERROR: libFuzzer: //')
        artifact=$(grep -Eo 'Test unit written to [^ ]+' "$log" | head -1 | sed 's/Test unit written to //')
        panic=$(grep -m1 -E "panicked at" "$log")
        result="CRASH (${kind:-exit $rc}) artifact=${artifact:-?} ${panic}"
    fi
    line="$t: ran ${took} s, ${execs:-?} executions, ${cov:-no coverage line}, ${result}"
    echo "$line"
    SUMMARY+=("$line")
done

echo
echo "== summary (${SECS} s per target)"
printf '%s\n' "${SUMMARY[@]}"
