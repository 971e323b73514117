"""The README's screenshots of the HTML report, made from the demo archive, never by hand.

    .venv/bin/python docs/screenshots.py

Builds the demo archive's report (snapshots/ and policies.yaml) into a temporary folder and
photographs, 1280 pixels wide in the light scheme, TikTok EEA's policy page and the page of the
change that brought AI-training language into it, with Playwright driving the system's Chromium
(/usr/bin/chromium, as the rendering tests do). Writes docs/report-policy.png and
docs/report-change.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import sync_playwright

from policywatch.browser import QUIET_FLAGS
from policywatch.cli import main as policywatch

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
SHOTS = {
    "report-policy.png": ("policies/tiktok-eea/index.html", 1000),
    "report-change.png": ("policies/tiktok-eea/2022-12-02T18-34-05Z.html", 1000),
}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="policywatch-shots-") as tmp:
        output = Path(tmp) / "report"
        config = ["--config", str(ROOT / "policies.yaml"), "--archive", str(ROOT / "snapshots")]
        result = CliRunner().invoke(policywatch, [*config, "report", "-o", str(output)])
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            return 1
        args = list(QUIET_FLAGS) + (["--no-sandbox"] if os.geteuid() == 0 else [])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
            for name, (page_path, height) in SHOTS.items():
                context = browser.new_context(
                    viewport={"width": 1280, "height": height}, color_scheme="light"
                )
                page = context.new_page()
                page.goto((output / page_path).as_uri())
                page.screenshot(path=str(DOCS / name))
                context.close()
                print(DOCS / name)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
