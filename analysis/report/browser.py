"""Open a rendered report in headless Chromium (Debian `chromium`): screenshot and console."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
CONSOLE = re.compile(r":CONSOLE(?::|\()\d*\)?\]? ?(.*)")


@dataclass
class BrowserResult:
    png: Path
    console: list[str]  # console messages the page produced (errors, warnings, logs)
    network_errors: list[str]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise AnalysisError(
            "headless Chromium is not installed: `apt-get install chromium` (make test installs it)"
        )
    return found


def screenshot(
    html: Path, png: Path, width: int = 1100, height: int = 3000, timeout: int = 120
) -> BrowserResult:
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                html.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    lines = proc.stderr.splitlines()
    console = [m.group(1) for line in lines if (m := CONSOLE.search(line))]
    network = [line for line in lines if "net::ERR" in line]
    if not png.exists():
        raise AnalysisError(f"Chromium made no screenshot of {html}: {proc.stderr[-500:]}")
    return BrowserResult(png, console, network)
