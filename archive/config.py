"""One ``Settings`` object, from CLI flags and ``NEWSARCHIVE_*`` variables.

Nothing else in the project reads the environment. Precedence: explicit values (CLI flags,
test config) over environment variables over defaults.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError

#: files inside a folder that ``index`` leaves out unless told otherwise: the readme,
#: licence, provenance, manifest and checksum files that travel with collections of
#: articles and are not articles themselves (``MANIFEST.*`` rather than ``MANIFEST*``, so a
#: story saved as ``manifesto-launch.txt`` is still read); see ``archive.ingest.selection``
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "README",
    "README.*",
    "LICENSE",
    "LICENSE.*",
    "LICENCE",
    "LICENCE.*",
    "COPYING",
    "COPYING.*",
    "PROVENANCE",
    "PROVENANCE.*",
    "MANIFEST",
    "MANIFEST.*",
    "MD5SUMS",
    "SHA1SUMS",
    "SHA256SUMS",
    "SHA512SUMS",
    "*.md5",
    "*.sha1",
    "*.sha256",
    "*.sha512",
    "Thumbs.db",
    "desktop.ini",
)


def default_data_dir(env: Mapping[str, str]) -> Path:
    """``$NEWSARCHIVE_HOME``, else ``$XDG_DATA_HOME/newsarchive``, else
    ``~/.local/share/newsarchive``."""
    if env.get("NEWSARCHIVE_HOME"):
        return Path(env["NEWSARCHIVE_HOME"]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "newsarchive"


#: the values of ``Settings.feedback``
FEEDBACK_RULES = ("never", "always")


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured, with its default."""

    data_dir: Path = field(default_factory=lambda: default_data_dir(os.environ))
    engine: str = "whoosh"
    host: str = "127.0.0.1"
    port: int = 5000
    threads: int = 8
    #: open connections the server keeps at most; more wait in the listen backlog
    connection_limit: int = 500
    #: seconds an idle connection (no request under way) stays open
    channel_timeout: int = 30
    #: seconds between the server's sweeps for idle connections
    cleanup_interval: int = 5
    #: connections the kernel queues while the server is at its connection limit
    backlog: int = 1024
    #: seconds a writer waits for another writer before giving up with IndexBusy
    writer_timeout: float = 10.0
    #: host names the web app answers to; empty means any
    trusted_hosts: tuple[str, ...] = ()
    #: longest query text accepted, in characters
    max_query_length: int = 2000
    #: most terms (words, phrases, prefixes) one query may hold
    max_query_terms: int = 256
    #: shortest prefix before a ``*``
    min_prefix_length: int = 2
    #: seconds a search may take before it is refused
    search_time_budget: float = 2.0
    #: whether searches that ask for feedback (any-word searches) are reranked with it
    #: (RM3, ``archive.search.expansion``): "never" (the default: across test collections it
    #: helped long queries and hurt news searches, see bench/relevance.py) or "always"
    feedback: str = "never"
    #: largest page size the API serves
    max_per_page: int = 100
    #: files (and members of containers) larger than this are refused at ingest, in bytes
    max_source_bytes: int = 64 * 1024 * 1024
    #: most bytes one container (zip, tar, gzip, a web archive) may unpack
    max_unpacked_bytes: int = 1024 * 1024 * 1024
    #: most bytes one run may unpack from containers and web archives; past it the run
    #: leaves the remaining files for the next run
    max_run_unpacked_bytes: int = 16 * 1024 * 1024 * 1024
    #: longer article texts are refused (no news story is millions of characters long)
    max_article_chars: int = 2_000_000
    #: seconds parsing one source may take before it is refused
    max_parse_seconds: float = 60.0
    #: worker processes for parsing; 0 means one per core
    workers: int = 0
    #: articles per commit while indexing: each commit is a point a crash falls back to,
    #: and adds one index segment per core, which later commits merge (memory does not
    #: grow with it: the writers spill to disk)
    batch_articles: int = 50_000
    #: glob patterns: when any are given, only files inside a folder that match one are read
    include: tuple[str, ...] = ()
    #: glob patterns of files inside a folder that are not read (an empty value reads all)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    opensearch_url: str = "http://127.0.0.1:9200"
    #: the alias searches read; generations are indices named ``<alias>-gen-NNNNNN``
    opensearch_index: str = "newsarchive"
    #: primary shards and replicas of each new generation
    opensearch_shards: int = 1
    opensearch_replicas: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser())
        if self.feedback not in FEEDBACK_RULES:
            raise ArchiveError(
                f"NEWSARCHIVE_FEEDBACK={self.feedback!r} is not valid: use one of "
                + ", ".join(FEEDBACK_RULES)
            )

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``env`` (default: the process environment), then ``overrides``.

        ``None`` overrides are ignored, so CLI options that were not given fall through.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {"data_dir": default_data_dir(env)}
        for item in dataclasses.fields(cls):
            raw = env.get(f"NEWSARCHIVE_{item.name.upper()}")
            if raw is not None and item.name != "data_dir":
                values[item.name] = _convert(item.name, raw, cls)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(values["data_dir"]).expanduser()
        return cls(**values)

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def index_root(self) -> Path:
        return self.data_dir / "index"

    @property
    def research_path(self) -> Path:
        """Saved searches and the id sets behind citations (``archive.research.store``)."""
        return self.data_dir / "research.sqlite3"


def _convert(name: str, raw: str, cls: type[Settings]) -> Any:
    default = getattr(cls(data_dir=Path(".")), name)
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ArchiveError(f"NEWSARCHIVE_{name.upper()}={raw!r} is not valid: {exc}") from exc
    return raw
