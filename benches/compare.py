#!/usr/bin/env python3
"""fairaudit against its baseline and its peers, as whole processes.

    python3 benches/compare.py [--sizes 1e5,1e6,1e7] [--timeout 600] [--repeat 3]

From the crate root. It builds fairaudit and the parse-only baseline
(`benches/csv_baseline.rs`) in release mode, creates its own virtual
environment with pandas and fairlearn (`target/bench-venv`), writes seeded
synthetic files with `fairaudit synth` (`target/bench-data`), and times with
`/usr/bin/time`, as whole processes, at each size:

* the baseline: the `csv` crate parsing only the five columns the audit
  reads (and the `parquet` crate decoding them from Parquet);
* `fairaudit run` of the audit in `benches/scan.rs::SPEC` (every attribute
  and every intersection, every confusion metric), CSV and Parquet, on all
  cores and on one;
* the same with bootstrap intervals, if this build of fairaudit has them
  (`--fairaudit-boot` gives the spec lines that ask for 1,000 replicates);
* pandas + fairlearn (`benches/fairlearn_peer.py`): the same metrics by the
  same groups, without and with `n_boot=1000`.

A peer run that would take longer than `--timeout` seconds is not started,
or is stopped: its time is then extrapolated (linearly in rows, and in
replicates from a short `n_boot=2` run), and the table says so. Finally it
streams 1e8 rows through a named pipe (the 1e7 file ten times, never stored)
to measure peak memory at that size. It prints a table per size, the
targets of issue 7 with the measured figures, and writes everything to
`target/bench-data/results.json`. Wall times are medians of `--repeat` runs.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "target", "bench-data")
VENV = os.path.join(ROOT, "target", "bench-venv")
FAIRAUDIT = os.path.join(ROOT, "target", "release", "fairaudit")

SPEC = """seed = 20240601
intersections = [["ethnicity", "sex"], ["ethnicity", "age_band"], ["sex", "age_band"], ["ethnicity", "sex", "age_band"]]
[input]
path = "{path}"
[truth]
column = "y_true"
positive = [1]
[prediction]
column = "y_pred"
positive = [1]
[[attributes]]
column = "ethnicity"
reference = "White"
[[attributes]]
column = "sex"
reference = "Male"
[[attributes]]
column = "age_band"
{extra}
"""


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed(cmd, timeout=None, env=None):
    """Runs cmd under /usr/bin/time; returns (wall s, peak MiB, user+sys s),
    or None if it ran out of time. Raises on failure."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf.name, *cmd]
        start = time.perf_counter()
        try:
            p = subprocess.run(full, capture_output=True, text=True, timeout=timeout, env=env)
            elapsed = time.perf_counter() - start
        except subprocess.TimeoutExpired:
            return None
        # fairaudit exits 1 when the audit ran but its policy failed: the
        # synthetic data has built-in disparities, so that is the normal case.
        if p.returncode not in (0, 1) or (p.returncode == 1 and os.path.basename(cmd[0]) != "fairaudit"):
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
        _, rss, user, sys_ = tf.read().split()[-4:]
        # Wall time from this process's clock (GNU time prints centiseconds).
        return elapsed, int(rss) / 1024.0, float(user) + float(sys_)


def median_run(cmd, repeat, **kw):
    runs = [timed(cmd, **kw) for _ in range(repeat)]
    if any(r is None for r in runs):
        return None
    return (
        statistics.median(r[0] for r in runs),
        max(r[1] for r in runs),
        statistics.median(r[2] for r in runs),
    )


def build():
    log("building fairaudit and the baseline (release)...")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    p = subprocess.run(
        ["cargo", "bench", "--no-run", "--bench", "csv_baseline"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    m = re.search(r"\((\S*csv_baseline-[0-9a-f]+)\)", p.stderr)
    if not m:
        sys.exit("could not find the csv_baseline executable in:\n" + p.stderr)
    return os.path.join(ROOT, m.group(1))


def venv():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        log("creating", VENV)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    ok = subprocess.run([py, "-c", "import pandas, fairlearn"], capture_output=True).returncode == 0
    if not ok:
        log("installing pandas and fairlearn into", VENV)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "pandas", "fairlearn"], check=True)
    v = subprocess.run(
        [py, "-c", "import pandas, fairlearn, sklearn, numpy; print(pandas.__version__, fairlearn.__version__, sklearn.__version__, numpy.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return py, dict(zip(["pandas", "fairlearn", "scikit-learn", "numpy"], v))


def synth(rows, ext):
    path = os.path.join(DATA, f"synth-{rows}.{ext}")
    if not os.path.exists(path):
        log("writing", path)
        subprocess.run([FAIRAUDIT, "synth", "--rows", str(rows), "--seed", "20240601", "--out", path],
                       check=True, capture_output=True)
    return path


NO_BOOT = "[uncertainty]\nbootstrap = false\n"


def spec(path, extra=NO_BOOT):
    name = os.path.basename(path) + (".boot" if extra != NO_BOOT else "") + ".toml"
    p = os.path.join(DATA, name)
    with open(p, "w") as f:
        f.write(SPEC.format(path=path, extra=extra))
    return p


def fairaudit_boot_supported(path, extra):
    p = subprocess.run([FAIRAUDIT, "run", spec(path, extra), "--quiet"], capture_output=True, text=True)
    return p.returncode in (0, 1), p.stderr.strip().splitlines()[:1]


def predict(times, n):
    """Seconds at n rows from finished runs: affine through the last two,
    proportional from one, None from none."""
    if not times:
        return None
    if len(times) == 1:
        return times[0][1] * n / times[0][0]
    (n1, t1), (n2, t2) = times[-2], times[-1]
    b = (t2 - t1) / (n2 - n1)
    return max(t2 + b * (n - n2), t2)


def fmt_s(x):
    if x is None:
        return "—"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1e5,1e6,1e7")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--fairaudit-boot", default="[uncertainty]\nreplicates = 1000\n",
                    help="spec lines that make `fairaudit run` compute 1,000-replicate bootstrap intervals")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-1e8", action="store_true")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    os.makedirs(DATA, exist_ok=True)
    baseline = build()
    py, versions = (None, {}) if args.no_peers else venv()
    peer = os.path.join(ROOT, "benches", "fairlearn_peer.py")
    T = args.timeout
    res = {
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor()),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "os": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "versions": versions,
        "timeout_s": T,
        "sizes": {},
    }
    boot_ok, boot_msg = fairaudit_boot_supported(synth(sizes[0], "csv"), args.fairaudit_boot)
    if not boot_ok:
        log("fairaudit has no bootstrap option yet:", boot_msg)
    res["fairaudit_bootstrap"] = {"spec_lines": args.fairaudit_boot, "supported": boot_ok,
                                  "message": boot_msg}
    peer_times = []  # (rows, seconds) of finished peer runs without bootstrap
    boot_q = None  # the cost of one fairlearn replicate, as a fraction of a run without
    for n in sizes:
        log(f"--- {n:,} rows")
        csv_path, pq_path = synth(n, "csv"), synth(n, "parquet")
        r = {"csv_bytes": os.path.getsize(csv_path), "parquet_bytes": os.path.getsize(pq_path)}
        r["baseline_csv"] = median_run([baseline, csv_path], args.repeat)
        r["baseline_parquet"] = median_run([baseline, pq_path], args.repeat)
        s_csv, s_pq = spec(csv_path), spec(pq_path)
        for name, sp, t in [("fairaudit_csv", s_csv, args.threads), ("fairaudit_csv_1thread", s_csv, 1),
                            ("fairaudit_parquet", s_pq, args.threads), ("fairaudit_parquet_1thread", s_pq, 1)]:
            r[name] = median_run([FAIRAUDIT, "run", sp, "--quiet", "--threads", str(t), "--format", "json"], args.repeat)
        if boot_ok:
            r["fairaudit_csv_boot"] = median_run(
                [FAIRAUDIT, "run", spec(csv_path, args.fairaudit_boot), "--quiet", "--threads", str(args.threads), "--format", "json"],
                args.repeat)
        if py:
            # Without bootstrap: run unless the sizes already measured predict
            # a timeout (an affine fit a + b*rows through the last two, since
            # fairlearn's per-group overhead dominates at small sizes).
            pred = predict(peer_times, n)
            if pred is not None and pred > T:
                r["fairlearn"] = {"extrapolated": True, "wall": pred,
                                  "note": f"not run: predicted {fmt_s(pred)} s > {T:.0f} s from the smaller sizes"}
            else:
                log("fairlearn, no bootstrap...")
                t = timed([py, peer, csv_path], timeout=T)
                if t is None:
                    r["fairlearn"] = {"extrapolated": True, "wall": predict(peer_times, n),
                                      "note": f"stopped after {T:.0f} s"}
                else:
                    r["fairlearn"] = {"extrapolated": False, "wall": t[0], "peak_mib": t[1], "cpu": t[2]}
                    peer_times.append((n, t[0]))
            # With n_boot=1000: a replicate recomputes every metric of every
            # group on resampled rows, so its cost is a fixed fraction q of
            # the run without bootstrap; q comes from a short n_boot=2 run at
            # the first size, and n_boot=1000 runs only if it fits the timeout.
            no_boot = r["fairlearn"]["wall"]
            if boot_q is None and not r["fairlearn"]["extrapolated"]:
                log("fairlearn, n_boot=2 (to estimate n_boot=1000)...")
                t2 = timed([py, peer, csv_path, "2"], timeout=T)
                if t2 is not None:
                    boot_q = max(t2[0] - no_boot, 0.0) / 2 / no_boot
                    r["fairlearn_boot2"] = {"wall": t2[0], "peak_mib": t2[1]}
            pred = no_boot * (1 + 1000 * boot_q) if boot_q is not None and no_boot else None
            if pred is not None and pred <= T:
                log("fairlearn, n_boot=1000...")
                t = timed([py, peer, csv_path, "1000"], timeout=T)
                r["fairlearn_boot"] = ({"extrapolated": False, "wall": t[0], "peak_mib": t[1]} if t else
                                       {"extrapolated": True, "wall": pred, "note": f"stopped after {T:.0f} s; estimate"})
            else:
                r["fairlearn_boot"] = {"extrapolated": True, "wall": pred,
                                       "note": f"not run: one replicate costs {100 * (boot_q or 0):.0f}% of a run without (n_boot=2 at {sizes[0]:,} rows)"}
        res["sizes"][str(n)] = r
        report_size(n, r)
    if not args.no_1e8 and 10_000_000 in sizes:
        res["stream_1e8"] = stream_1e8(s_csv_for(synth(10_000_000, "csv")), args.threads)
        log(f"1e8 rows through a pipe: {res['stream_1e8']}")
    with open(os.path.join(DATA, "results.json"), "w") as f:
        json.dump(res, f, indent=2)
    targets(res)


def s_csv_for(path):
    return path


def stream_1e8(csv_1e7, threads):
    """10 × the 1e7 file through a named pipe: 1e8 rows, never on disk."""
    fifo = os.path.join(DATA, "stream-1e8.csv")
    if os.path.exists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    sp = spec(fifo)

    def feed():
        with open(fifo, "wb") as out:
            for i in range(10):
                with open(csv_1e7, "rb") as f:
                    if i > 0:
                        f.readline()  # the header only once
                    shutil.copyfileobj(f, out, 1 << 20)

    th = threading.Thread(target=feed)
    th.start()
    t = timed([FAIRAUDIT, "run", sp, "--quiet", "--threads", str(threads), "--format", "json"])
    th.join()
    os.remove(fifo)
    return {"wall": t[0], "peak_mib": t[1], "cpu": t[2]}


def report_size(n, r):
    fa = r["fairaudit_csv"][0]
    rows = [
        ("csv crate, parse only", r["baseline_csv"]),
        ("parquet crate, decode only", r["baseline_parquet"]),
        ("fairaudit run, CSV", r["fairaudit_csv"]),
        ("fairaudit run, CSV, 1 thread", r["fairaudit_csv_1thread"]),
        ("fairaudit run, Parquet", r["fairaudit_parquet"]),
        ("fairaudit run, Parquet, 1 thread", r["fairaudit_parquet_1thread"]),
    ]
    if r.get("fairaudit_csv_boot"):
        rows.append(("fairaudit run, CSV, 1,000 bootstrap replicates", r["fairaudit_csv_boot"]))
    print(f"\n{n:,} rows ({r['csv_bytes'] / 1e6:.0f} MB CSV, {r['parquet_bytes'] / 1e6:.0f} MB Parquet)")
    print(f"  {'':52} {'wall s':>9} {'peak MiB':>9} {'× fairaudit CSV':>16}")
    for name, v in rows:
        if v:
            print(f"  {name:52} {fmt_s(v[0]):>9} {v[1]:9.0f} {v[0] / fa:16.2f}")
    for key, name in [("fairlearn", "pandas + fairlearn"), ("fairlearn_boot", "pandas + fairlearn, n_boot=1000")]:
        v = r.get(key)
        if not v:
            continue
        base = r.get("fairaudit_csv_boot") if key == "fairlearn_boot" and r.get("fairaudit_csv_boot") else r["fairaudit_csv"]
        ratio = f"{v['wall'] / base[0]:16.0f}" if v.get("wall") else f"{'—':>16}"
        mem = f"{v['peak_mib']:9.0f}" if v.get("peak_mib") else f"{'—':>9}"
        note = f"  ({'extrapolated: ' if v.get('extrapolated') else ''}{v.get('note', '')})" if v.get("extrapolated") else ""
        print(f"  {name:52} {fmt_s(v.get('wall')):>9} {mem} {ratio}{note}")
    sys.stdout.flush()


def targets(res):
    S = res["sizes"]
    print("\nTargets (issue 7):")

    def line(ok, text):
        print(f"  [{'met' if ok else 'MISSED'}] {text}")

    if "10000000" in S:
        r = S["10000000"]
        ratio = r["fairaudit_csv"][0] / r["baseline_csv"][0]
        line(ratio <= 2.0, f"1e7-row CSV within 2x of parsing it with the csv crate: {ratio:.2f}x "
             f"({fmt_s(r['fairaudit_csv'][0])} s vs {fmt_s(r['baseline_csv'][0])} s)")
        pq = r["fairaudit_parquet"][0] / r["fairaudit_csv"][0]
        parse = r["baseline_parquet"][0] / r["baseline_csv"][0]
        line(pq <= parse, f"Parquet faster than CSV by at least the ratio of parse costs: "
             f"Parquet/CSV {pq:.2f} (fairaudit) vs {parse:.2f} (decode/parse only)")
        mem = r["fairaudit_csv"][1]
        line(mem < 256, f"peak memory, 1e7-row CSV: {mem:.0f} MiB (< 256)")
        if res.get("stream_1e8"):
            m8 = res["stream_1e8"]["peak_mib"]
            line(m8 <= 1.2 * mem, f"peak memory, 1e8 rows streamed: {m8:.0f} MiB ({m8 / mem:.2f}x of 1e7; <= 1.2x)")
        sp = r["fairaudit_csv_1thread"][0] / r["fairaudit_csv"][0]
        line(sp >= 1.6, f"{res['machine']['cpus']} threads vs 1 on the 1e7 CSV scan: {sp:.2f}x (>= 1.6x)")
    if "1000000" in S and S["1000000"].get("fairlearn"):
        r = S["1000000"]
        ratio = r["fairlearn"]["wall"] / r["fairaudit_csv"][0]
        line(ratio >= 200, f"1e6 rows, pandas + fairlearn vs fairaudit: {ratio:.0f}x (>= 200x)")
        fb = r.get("fairlearn_boot") or {}
        if fb.get("wall"):
            ours = r.get("fairaudit_csv_boot")
            if ours:
                ratio = fb["wall"] / ours[0]
                line(ratio >= 500, f"1e6 rows with 1,000 bootstrap replicates: {ratio:.0f}x (>= 500x)"
                     + (" (fairlearn extrapolated)" if fb.get("extrapolated") else ""))
            else:
                ratio = fb["wall"] / r["fairaudit_csv"][0]
                print(f"  [n/a] 1e6 rows with 1,000 bootstrap replicates: this fairaudit has no bootstrap option; "
                      f"fairlearn n_boot=1000 ({'extrapolated ' if fb.get('extrapolated') else ''}{fmt_s(fb['wall'])} s) "
                      f"vs fairaudit without: {ratio:.0f}x")


if __name__ == "__main__":
    main()
