"""Benchmark: the full report on a generated tenant, against DuckDB computing only the headline
aggregates of the same files, at two sizes.

    python3 -m pip install duckdb && python3 bench/run.py

Generates (once, deterministically, into --dir) a tenant of 1,000,000 users in the portal
registration format and 2,000,000 interactive sign-ins in the 56-column layout, the same
sign-ins split into twenty 100,000-row files, and a tenant ten times smaller. Then, for each
size, runs `entra-mfa-report report` (HTML + JSON + actions CSV) and
`bench/duckdb_headline.py` back to back, --runs times each (5 by default), and prints the
median wall times, their ratio, every run of the full workload, the peak memory (max RSS) of
each, the size of the HTML report, and a check that both tools agree on the figures they share.
Nothing here runs in the tests.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIZES = {
    # name: (users, interactive sign-ins)
    "full": (1_000_000, 2_000_000),
    "tenth": (100_000, 200_000),
}


def run_measured(cmd, **kw):
    """Run a command; return (wall seconds, max RSS in bytes, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, **kw)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"command failed ({code}): {' '.join(map(str, cmd))}")
    return wall, usage.ru_maxrss * 1024, out


def generate(bench_dir: Path, name: str, users: int, signins: int, split: int) -> Path:
    """The workload folder for a size (generated once; a stamp records the arguments)."""
    folder = bench_dir / (name if split == 1 else f"{name}-split{split}")
    stamp = folder / ".generated"
    args = [
        "--users", str(users), "--seed", "11", "--layout", "portal",
        "--out", str(folder / "exportUserRegistrationDetails.csv"),
        "--signins", str(signins),
        "--signins-out", str(folder / "InteractiveSignIns.csv"),
        "--split", str(split),
    ]
    if stamp.exists() and stamp.read_text() == " ".join(args):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    generator = ROOT / "target" / "release" / "examples" / "generate-tenant"
    print(f"generating {folder} ...", file=sys.stderr)
    subprocess.run([str(generator), *args], check=True)
    stamp.write_text(" ".join(args))
    return folder


def ours(folder: Path, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    binary = ROOT / "target" / "release" / "entra-mfa-report"
    cmd = [
        str(binary), "report", str(folder), "-q",
        "-o", str(out / "report.html"),
        "--json", str(out / "summary.json"),
        "--actions", str(out / "actions.csv"),
    ]
    return run_measured(cmd)


def duckdb(folder: Path):
    signins = sorted(str(p) for p in folder.glob("InteractiveSignIns*.csv"))
    cmd = [sys.executable, str(ROOT / "bench" / "duckdb_headline.py"),
           str(folder / "exportUserRegistrationDetails.csv"), *signins]
    return run_measured(cmd)


def agree(summary: dict, duck: dict) -> list:
    """(figure, ours, DuckDB) for the figures both compute the same way."""
    s = summary["signins"]
    by_status = duck["signins_by_status"]
    return [
        ("sign-in rows", s["rows"], duck["signin_rows"]),
        ("successful sign-ins", s["success"], by_status.get("Success", 0)),
        ("failed sign-ins", s["failure"], by_status.get("Failure", 0)),
        ("interrupted sign-ins", s["interrupted"], by_status.get("Interrupted", 0)),
        ("single-factor successes", s["single_factor_success"], duck["single_factor_success"]),
        ("legacy-auth rows", s["legacy_auth"], duck["legacy_rows"]),
        ("legacy-auth users", s["legacy_auth_users"], duck["legacy_users"]),
    ]


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path,
                        default=Path(os.environ.get("TMPDIR", "/tmp")) / "entra-mfa-report-bench",
                        help="where the generated workloads are kept (several GB)")
    parser.add_argument("--runs", type=int, default=5, help="runs per tool and size (median)")
    args = parser.parse_args()
    try:
        import duckdb as _  # noqa: F401
    except ImportError:
        sys.exit("DuckDB's Python package is needed: python3 -m pip install duckdb")

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "entra-mfa-report",
                    "--example", "generate-tenant"], cwd=ROOT, check=True)
    rows = []
    for name, (users, signins) in SIZES.items():
        folder = generate(args.dir, name, users, signins, 1)
        out = args.dir / "out" / name
        ours_runs, duck_runs = [], []
        for _ in range(args.runs):
            ours_runs.append(ours(folder, out))
            duck_runs.append(duckdb(folder))
        summary = json.loads((out / "summary.json").read_text())
        duck = json.loads(duck_runs[-1][2])
        ours_wall = statistics.median(r[0] for r in ours_runs)
        duck_wall = statistics.median(r[0] for r in duck_runs)
        rows.append({
            "name": name,
            "users": users,
            "signins": signins,
            "bytes": sum(p.stat().st_size for p in folder.glob("*.csv")),
            "ours": ours_wall,
            "duck": duck_wall,
            "ours_rss": max(r[1] for r in ours_runs),
            "duck_rss": max(r[1] for r in duck_runs),
            "html": (out / "report.html").stat().st_size,
            "agree": agree(summary, duck),
            "pairs": [(o[0], d[0]) for o, d in zip(ours_runs, duck_runs)],
        })
    # The portal's delivery of the same sign-ins: twenty files of 100,000 rows.
    users, signins = SIZES["full"]
    split = generate(args.dir, "full", users, signins, 20)
    split_out = args.dir / "out" / "full-split20"
    split_runs = [ours(split, split_out) for _ in range(args.runs)]
    split_same = (json.loads((split_out / "summary.json").read_text())["signins"]
                  == json.loads((args.dir / "out" / "full" / "summary.json").read_text())["signins"])

    print(f"Machine: {machine()}")
    print(f"Median of {args.runs} runs; files in the page cache.\n")
    print("| workload | input | entra-mfa-report (full report) | DuckDB (headline aggregates) "
          "| ratio ours/DuckDB | peak RSS ours | peak RSS DuckDB | HTML report |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['users']:,} users, {r['signins']:,} sign-ins | {r['bytes'] / 1e9:.2f} GB "
              f"| {r['ours']:.2f} s | {r['duck']:.2f} s | {r['ours'] / r['duck']:.2f} "
              f"| {mib(r['ours_rss'])} | {mib(r['duck_rss'])} | {r['html'] / 1e6:.2f} MB |")
    full, tenth = rows[0], rows[1]
    print("\nEach run of the full workload, ours then DuckDB's, back to back: " + ", ".join(
        f"{o:.2f} s / {d:.2f} s ({o / d:.2f})" for o, d in full["pairs"]) + ".")
    print(f"\nScaling: 10x the rows took {full['ours'] / tenth['ours']:.1f}x the time "
          f"(DuckDB {full['duck'] / tenth['duck']:.1f}x).")
    print(f"Split into 20 files: {statistics.median(r[0] for r in split_runs):.2f} s, "
          f"peak RSS {mib(max(r[1] for r in split_runs))}; sign-in figures identical to the "
          f"single file: {'yes' if split_same else 'NO'}.")
    print("\nFigures both tools compute (full workload):")
    for figure, a, b in full["agree"]:
        print(f"  {figure:<26} ours {a:>12,}  DuckDB {b:>12,}  {'same' if a == b else 'DIFFERENT'}")
    targets = [
        ("wall time <= DuckDB", full["ours"] <= full["duck"]),
        ("peak RSS <= 1 GiB", full["ours_rss"] <= 2**30),
        ("HTML report < 5 MB", full["html"] < 5_000_000),
    ]
    print("\nTargets: " + "; ".join(f"{t}: {'met' if ok else 'NOT met'}" for t, ok in targets))


if __name__ == "__main__":
    main()
