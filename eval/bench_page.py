"""The advisor's page on a tablet (issue 15): what an advisor sees, measured in a real browser.

    python -m conseil.eval.bench_page [--runs 5] [--sephora PATH] [--json]

Prints, beside the figures the issue reported before the change (BASELINE):

  * the first result card's distance from the top of a 768x1024 portrait viewport (px), and the
    time from pressing Enter to that card being visible (ms, median and worst of --runs), on the
    demo server (`conseil serve` on the demo catalog and studies, with the configured model);
  * Tab presses from the search box to the first product, portrait and landscape (1024x768);
  * axe-core violations on the advisor view (portrait, landscape) and the analyst view;
  * the share of Sephora products whose card shows a rating (product_info.csv read as ingestion
    reads it, then the card's fields as the search engine builds them).

Needs the `playwright` package and Debian's chromium (`apt-get install chromium`); axe-core is read
from tests/vendor/axe-core. The Sephora share needs ../shared/data (skipped with a note when absent).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEPHORA = REPO / ".." / "shared" / "data" / "sephora-products" / "product_info.csv"
AXE = REPO / "tests" / "vendor" / "axe-core" / "axe.min.js"
PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
QUERIES = ("moisturizer for dry skin", "shampoo without sulfates", "crème sans parfum pour peau sensible",
           "serum without parabens")
KEYS = {"advisor": "csl_bench_advisor_key", "analyst": "csl_bench_analyst_key"}
# As reported in issue 15 (Debian chromium, 768x1024, before the change).
BASELINE = {"first_card_top_px": 1171, "tabs_to_first_product": 40, "axe_violations": 0, "sephora_rating_share": 0.0}


@contextmanager
def demo_server(data_dir: Path) -> Iterator[str]:
    """The demo catalog and studies behind `conseil serve` in a process of its own, with the real
    model, as a store would run it (the benchmark imports nothing of `conseil.api`)."""
    env = {**os.environ, "CONSEIL_DATA_DIR": str(data_dir),
           "CONSEIL_API_KEYS": json.dumps([
               {"name": "Alice", "role": "advisor", "sha256": hashlib.sha256(KEYS["advisor"].encode()).hexdigest()},
               {"name": "Bob", "role": "analyst", "sha256": hashlib.sha256(KEYS["analyst"].encode()).hexdigest()}]),
           "CONSEIL_STUDY_DIRS": json.dumps([str(REPO / "corpora" / "studies")])}
    cli = [sys.executable, "-m", "conseil.api.cli"]
    subprocess.run([*cli, "ingest", "demo"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "ingest", "studies", str(REPO / "corpora" / "studies")], env=env, check=True,
                   capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = subprocess.Popen([*cli, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the demo server exited: {server.stderr.read().decode()[-2000:] if server.stderr else ''}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the demo server did not answer in 120 s") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def sign_in(browser: Any, url: str, viewport: dict[str, int], role: str) -> Any:
    context = browser.new_context(viewport=viewport, locale="en-US", base_url=url)
    page = context.new_page()
    page.goto("/")
    page.fill("#key", KEYS[role])
    page.press("#key", "Enter")
    page.wait_for_selector("#app:not([hidden])")
    return page


def search(page: Any, query: str) -> float:
    """ms from Enter to the first card visible."""
    page.fill("#q", query)
    began = time.perf_counter()
    page.press("#q", "Enter")
    page.locator("#hits > li:first-child .card").wait_for(state="visible")
    page.wait_for_selector("#layout:not(.loading)")
    return (time.perf_counter() - began) * 1000


def tabs_to_first_product(page: Any, limit: int = 60) -> int:
    page.focus("#q")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#hits > li:first-child')"):
            return presses
    return limit + 1


def axe(page: Any) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return list(page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)"))


def browser_figures(url: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = sign_in(browser, url, PORTRAIT, "advisor")
            tops, times = [], []
            for _ in range(runs):
                for query in QUERIES:
                    page.fill("#q", "")
                    times.append(search(page, query))
                    tops.append(page.locator("#hits .card").first.bounding_box()["y"])
            figures["first_card_top_px"] = {"median": statistics.median(tops), "max": max(tops)}
            figures["first_card_ms"] = {"median": round(statistics.median(times), 1), "max": round(max(times), 1),
                                        "searches": len(times)}
            figures["tabs_to_first_product"] = {"portrait": tabs_to_first_product(page)}
            figures["axe_violations"] = {"advisor_portrait": axe(page)}
            page.context.close()
            page = sign_in(browser, url, LANDSCAPE, "advisor")
            search(page, QUERIES[1])
            figures["tabs_to_first_product"]["landscape"] = tabs_to_first_product(page)
            figures["axe_violations"]["advisor_landscape"] = axe(page)
            page.context.close()
            page = sign_in(browser, url, LANDSCAPE, "analyst")
            page.click("#tab-studies")
            page.fill("#study-q", "sensitive skin")
            page.press("#study-q", "Enter")
            page.wait_for_selector("#study-hits .citation")
            figures["axe_violations"]["analyst"] = axe(page)
            page.context.close()
        finally:
            browser.close()
    return figures


def sephora_rating_share(path: Path) -> dict[str, Any]:
    """Products whose card shows a rating: read as ingestion reads the file, fields as the engine builds them."""
    from conseil.ingest.sources import read_products
    from conseil.search.products.popularity import popularity

    read = read_products(path, fmt="sephora")
    cards = [popularity(json.loads(json.dumps(r.extra, default=str))) for r in read.records]
    shown = {name: sum(1 for c in cards if name in c) for name in ("rating", "reviews", "loves", "size")}
    return {"products": len(cards), **{f"with_{k}": v for k, v in shown.items()},
            "rating_share": round(shown["rating"] / len(cards), 4) if cards else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="store_true", help="Kept for old command lines: the server always uses the "
                        "configured model.")
    parser.add_argument("--runs", type=int, default=3, help="Rounds of the portrait queries timed.")
    parser.add_argument("--sephora", type=Path, default=SEPHORA)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"baseline": BASELINE, "embedder": "model" if args.model else "fake (hash)"}
    if args.sephora.is_file():
        out["sephora"] = sephora_rating_share(args.sephora)
    else:
        out["sephora"] = f"skipped: {args.sephora} is absent"
    missing = browser_missing()
    if missing:
        out["browser"] = f"skipped: {missing}"
    else:
        with tempfile.TemporaryDirectory() as tmp, demo_server(Path(tmp) / "data") as url:
            out.update(browser_figures(url, args.runs))
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    if missing:
        print(f"browser figures {out['browser']}")
    else:
        print_browser(out)
    if isinstance(out["sephora"], dict):
        s = out["sephora"]
        print(f"Sephora products showing a rating: {s['with_rating']}/{s['products']} = {s['rating_share']:.1%} "
              f"(reviews {s['with_reviews']}, loves {s['with_loves']}, size {s['with_size']}); baseline 0%")
    else:
        print(f"Sephora: {out['sephora']}")
    return 0


def browser_missing() -> str | None:
    """Why the browser figures cannot be taken here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if shutil.which("chromium") is None:
        return "chromium is not on PATH (apt-get install -y chromium)"
    return None


def print_browser(out: dict[str, Any]) -> None:
    print(f"embedder: {out['embedder']}")
    print(f"first card, portrait 768x1024: median {out['first_card_top_px']['median']:.0f} px from the top "
          f"(max {out['first_card_top_px']['max']:.0f}); baseline {BASELINE['first_card_top_px']} px")
    ms = out["first_card_ms"]
    print(f"Enter -> first card visible: median {ms['median']} ms, max {ms['max']} ms over {ms['searches']} searches")
    tabs = out["tabs_to_first_product"]
    print(f"Tab presses to the first product: portrait {tabs['portrait']}, landscape {tabs['landscape']}; "
          f"baseline {BASELINE['tabs_to_first_product']}")
    print(f"axe-core violations: {out['axe_violations']}; baseline {BASELINE['axe_violations']}")


if __name__ == "__main__":
    raise SystemExit(main())
