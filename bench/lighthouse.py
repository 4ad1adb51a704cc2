"""Lighthouse's four scores (mobile profile) for pages of a running QMI server.

`run(base_url, paths)` drives the `lighthouse` npm package pinned in
`bench/lighthouse/package-lock.json` (installed there by `npm ci` the first time;
node_modules is not committed) against Debian's chromium, one page at a time, and
prints a table: performance, accessibility, best practices and SEO, with ✓ when a
page reaches the targets (performance ≥ 95, the three others 100). Under a page that
misses them, the audits that cost it points.

    python bench/lighthouse.py http://127.0.0.1:8000 / /editions/qmi-2/ [--reports DIR]

The profile is Lighthouse's default: a mid-range phone on a slow 4G link, simulated
(the server's own speed is measured, the link and the processor are modelled).

Map tiles. The machines that run this have no internet, so the tile server of the
maps cannot be reached. The tile requests are blocked inside the browser
(`--blocked-url-patterns`, one pattern per tile URL template found in the pages'
`data-tile-url`, each `{z}`, `{s}`… replaced by `*`) rather than running the server
with `QMI_MAP_TILE_URL=` empty:

- the page measured is the page as deployed: the same settings, the same
  Content-Security-Policy, the same map script creating its tile layer;
- Lighthouse leaves requests it blocked itself out of the console errors
  (`ERR_BLOCKED_BY_CLIENT.Inspector`, ignored by its errors-in-console audit),
  whereas a tile host that does not resolve logs a network error on the console
  and costs the page its best-practices score: an unreachable tile server would be
  counted against the page, which the targets exclude;
- it needs nothing from whoever started the server (`make bench-http`, or a
  server started by hand with any settings).

Nothing else leaves the machine: Lighthouse fetches nothing external for these
audits, and chromium runs without background networking, component updates,
first-run tasks or error reporting, and resolves no host name but the server's
(it would still look up Google's update and account hosts; checked with strace).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent / "lighthouse"
CLI = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Nothing else that could reach out: no sync, no default apps, no
    # safe-browsing or domain-reliability pings, no crash reports.
    "--disable-sync",
    "--disable-default-apps",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--no-default-browser-check",
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
COLUMNS = ["performance", "accessibility", "best practices", "SEO"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
TIMEOUT = 240  # seconds for one page
TILE_URL = re.compile(r'data-tile-url="([^"]+)"')


def _missing_tools() -> list[str]:
    """What this machine lacks to run Lighthouse, each with how to get it."""
    missing = []
    if not shutil.which("node") or not shutil.which("npm"):
        missing.append(
            "node and npm (apt-get install nodejs npm; Lighthouse 12 needs node ≥ 18.16)"
        )
    if not Path(CHROME_PATH).exists():
        missing.append(f"chromium at {CHROME_PATH} (apt-get install chromium, or set CHROME_PATH)")
    return missing


def _install() -> bool:
    """`npm ci` in bench/lighthouse when its node_modules is missing; True when ready."""
    if CLI.exists():
        return True
    print("Lighthouse: npm ci in bench/lighthouse (first run)…", flush=True)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not CLI.exists():
        # npm says why first, then its usage: the first lines are the ones that matter.
        print("Lighthouse: npm ci (needs the npm registry) failed:", file=sys.stderr)
        print("\n".join((done.stderr or done.stdout).splitlines()[:15]), file=sys.stderr)
        return False
    return True


def tile_patterns(base_url: str, paths: list[str]) -> list[str]:
    """Blocked-URL patterns for the tile URL templates the pages' maps would load."""
    patterns = set()
    for path in paths:
        try:
            with urllib.request.urlopen(base_url + path, timeout=30) as response:
                html = response.read().decode("utf-8", "replace")
        except OSError:
            continue  # Lighthouse will report the page itself.
        for template in TILE_URL.findall(html):
            patterns.add(re.sub(r"\{[^}]*\}", "*", unescape(template)))
    return sorted(patterns)


def chrome_flags(base_url: str) -> str:
    """CHROME_FLAGS, and no host name resolved but the server's.

    Even with background networking off, chromium looks up Google's update and account
    hosts; without internet those lookups only fail, but nothing should leave the machine.
    """
    host = urlsplit(base_url).hostname or "127.0.0.1"
    rules = f'--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE {host}"'
    return " ".join([*CHROME_FLAGS, rules])


def audit(url: str, blocked: list[str], report: Path) -> dict:
    """One Lighthouse run (mobile, the default), its JSON report read back."""
    command = [
        "node",
        str(CLI),
        url,
        "--quiet",
        "--no-enable-error-reporting",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={chrome_flags(url)}",
        *(f"--blocked-url-patterns={pattern}" for pattern in blocked),
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "CHROME_PATH": CHROME_PATH},
    )
    if done.returncode != 0 or not report.exists():
        raise RuntimeError((done.stderr or done.stdout).strip()[-1500:] or "no report")
    return json.loads(report.read_text())


def _audit_twice(url: str, blocked: list[str], report: Path) -> dict:
    """Lighthouse sometimes loses the trace of a load (NO_NAVSTART): one more try then."""
    try:
        return audit(url, blocked, report)
    except (RuntimeError, subprocess.TimeoutExpired):
        return audit(url, blocked, report)


def scores(result: dict) -> dict[str, int | None]:
    """The four category scores out of 100 (None when Lighthouse could not score one)."""
    out = {}
    for key in CATEGORIES:
        score = result["categories"].get(key, {}).get("score")
        out[key] = None if score is None else round(score * 100)
    return out


def meets_targets(page_scores: dict[str, int | None]) -> bool:
    return all(
        page_scores[key] is not None and page_scores[key] >= target
        for key, target in TARGETS.items()
    )


def shortfalls(result: dict) -> list[str]:
    """For each category below its target, the weighted audits that did not pass."""
    lines = []
    audits = result["audits"]
    for key, target in TARGETS.items():
        category = result["categories"].get(key, {})
        score = category.get("score")
        if score is not None and round(score * 100) >= target:
            continue
        for ref in category.get("auditRefs", []):
            found = audits.get(ref["id"], {})
            if ref.get("weight", 0) and found.get("score") is not None and found["score"] < 1:
                value = found.get("displayValue", "")
                lines.append(f"{key}: {found['title']}" + (f" ({value})" if value else ""))
    return lines


def run(base_url: str, paths: list[str], *, report_dir: str | Path | None = None) -> None:
    """Print Lighthouse's four scores for each path of the server at base_url.

    report_dir, when given, keeps each page's JSON report there (for profiling).
    """
    missing = _missing_tools()
    if missing:
        print("Lighthouse skipped: this machine lacks " + "; ".join(missing) + ".")
        return
    if not _install():
        print("Lighthouse skipped: its npm package could not be installed (see above).")
        return
    base_url = base_url.rstrip("/")
    blocked = tile_patterns(base_url, paths)
    print(
        "\nLighthouse (mobile profile, chromium"
        + (f"; map tiles blocked: {', '.join(blocked)}" if blocked else "")
        + ")"
    )
    width = max([len("page"), *(len(path) for path in paths)])
    header = f"{'page':<{width}}  " + "  ".join(f"{name:>14}" for name in COLUMNS)
    print(header)
    print("-" * len(header))
    keep = Path(report_dir) if report_dir else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qmi-lighthouse-") as tmp:
        for path in paths:
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            report = (keep or Path(tmp)) / f"{name}.json"
            try:
                result = _audit_twice(base_url + path, blocked, report)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                reason = (str(error).strip().splitlines() or ["?"])[-1]
                print(f"{path:<{width}}  Lighthouse failed: {reason}")
                continue
            page_scores = scores(result)
            cells = "  ".join(
                f"{'—' if page_scores[key] is None else page_scores[key]:>14}" for key in CATEGORIES
            )
            ok = meets_targets(page_scores)
            print(f"{path:<{width}}  {cells}  {'✓' if ok else ''}")
            if not ok:
                for line in shortfalls(result):
                    print(f"{'':<{width}}    {line}")
    print("✓ = performance ≥ 95 and accessibility, best practices, SEO = 100.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("paths", nargs="+", help="pages, e.g. / /editions/qmi-2/")
    parser.add_argument("--reports", help="keep each page's JSON report in this folder")
    arguments = parser.parse_args()
    missing = _missing_tools()
    if missing:
        print("This machine lacks " + "; ".join(missing) + ".", file=sys.stderr)
        return 1
    run(arguments.base_url, arguments.paths, report_dir=arguments.reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
