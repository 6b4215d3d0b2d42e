"""Helpers for the tests that run against real OpenSearch nodes."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from archive.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "opensearch.sh"


def answers(url: str) -> str:
    """ "" when the first node of ``url`` reports its health, else what went wrong."""
    first = url.split(",")[0].rstrip("/")
    try:
        with urllib.request.urlopen(f"{first}/_cluster/health", timeout=5) as response:
            json.load(response)
    except (OSError, ValueError) as exc:
        return str(exc)
    return ""


def settings(url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for an archive of its own on the cluster: a fresh index name per call,
    so tests never see each other's articles."""
    return Settings(
        data_dir=data_dir,
        engine="opensearch",
        opensearch_url=url,
        opensearch_index=f"test-{uuid.uuid4().hex[:12]}",
        **overrides,
    )


def script(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/opensearch.sh`` with ``args``; raises if it fails."""
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def installed() -> bool:
    """Whether the OpenSearch distribution is already in the local cache."""
    return subprocess.run(["bash", str(SCRIPT), "installed"], check=False).returncode == 0
