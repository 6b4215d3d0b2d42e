"""The README's screenshots of the research pages, taken with headless Chromium of the real
pages on Reuters-21578 (../shared), into ``docs/``.

The archive is built in two steps, so the pages have something to show for what changed:
the first half of the collection is indexed, a search is saved and a figure cited, then
the rest is indexed. Needs Debian's /usr/bin/chromium and the test extras (playwright).

    python scripts/research_screenshots.py --work-dir /tmp/research-shots
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.config import Settings  # noqa: E402
from archive.core import Archive  # noqa: E402
from archive.models import SearchRequest  # noqa: E402
from web import create_app  # noqa: E402

REUTERS = ROOT.parent / "shared" / "data" / "reuters21578"
CHROMIUM = "/usr/bin/chromium"
#: (file name, path, the part of the page to show)
SHOTS = (
    ("research-chart.png", "/compare?q=cocoa&q=coffee&by=week", "figure.chart"),
    ("research-words.png", "/words?q=cocoa&n=10", ".terms-grid"),
    ("research-kwic.png", "/kwic?q=%22buffer+stock%22&order=before", "table.kwic"),
)
#: tallest part of a page shown, in pixels
MAX_HEIGHT = 640


def build(work: Path) -> tuple[Archive, str]:
    """The archive, a saved search and a citation made halfway through indexing."""
    archive = Archive(Settings(data_dir=work / "archive"))
    files = sorted(REUTERS.glob("reut2-*.sgm"))
    archive.index(files[: len(files) // 2])
    cocoa = SearchRequest(q="cocoa")
    if not any(saved.name == "cocoa" for saved in archive.research.saved.all()):
        archive.research.saved.add("cocoa", cocoa)
    citation = archive.research.cite(SearchRequest(q="cocoa", date_to=None)).compact()
    archive.index(files)
    archive.research.saved.gains()
    return archive, citation


def shoot(archive: Archive, citation: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright
    from waitress.server import create_server

    server = create_server(create_app(archive=archive), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"
    shots = (
        *SHOTS,
        ("research-check.png", f"/cite?check={quote(citation, safe='')}", "main"),
        ("research-saved.png", "/saved/cocoa", "main"),
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            for name, path, part in shots:
                page.goto(base + path)
                box = page.locator(part).first.bounding_box()
                assert box is not None, f"{path} has no {part}"
                box["height"] = min(box["height"], MAX_HEIGHT)
                page.screenshot(path=str(out / name), clip=box, full_page=True)
                print(f"{out / name}: {(out / name).stat().st_size // 1024} KiB")
            browser.close()
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", type=Path, help="keep the archive here")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    temporary = None if args.work_dir else tempfile.TemporaryDirectory(prefix="shots-")
    work = args.work_dir or Path(temporary.name)  # type: ignore[union-attr]
    try:
        archive, citation = build(work)
        with archive:
            shoot(archive, citation, args.out)
    finally:
        if temporary is not None:
            temporary.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
