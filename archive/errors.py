"""The archive's own errors: every failure a user can see is one of these.

Library exceptions are caught where they happen and re-raised as one of these children,
with a message a person can act on. The CLI and the web map them to exit codes and HTTP
statuses in one place each.
"""

from pathlib import Path


class ArchiveError(Exception):
    """Base class of every error the archive raises on purpose."""

    #: the CLI's exit code for this kind of error (see README, "Exit codes")
    exit_code = 1
    #: the HTTP status the web answers with
    http_status = 500
    #: what the web shows of the error: the message without server details such as file
    #: paths (``None``: the message itself)
    public: str | None = None

    def __init__(self, message: str = "", public: str | None = None) -> None:
        super().__init__(message)
        if public is not None:
            self.public = public


class ParseError(ArchiveError):
    """A source could not be read as an article (or one record inside it could not)."""

    exit_code = 3
    http_status = 422


class UnsupportedFormat(ParseError):
    """The content is of no format the archive reads."""


class QueryError(ArchiveError):
    """The query cannot be run: bad syntax, too long, too broad or too slow.

    ``position`` is the 0-based offset in the query text where the problem is, when known.
    """

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class IndexBusy(ArchiveError):
    """Another writer holds the index for longer than we are willing to wait."""

    exit_code = 4
    http_status = 503


class IndexMissing(ArchiveError):
    """There is no index yet (nothing has been indexed) or it cannot be opened."""

    exit_code = 5
    http_status = 503


class NothingIndexed(IndexMissing):
    """Nothing has been indexed yet (``absent``: the data directory does not even exist)."""

    absent = False


class ArticleNotFound(ArchiveError):
    """No article has the requested id."""

    exit_code = 6
    http_status = 404


class EngineUnavailable(ArchiveError):
    """The search engine cannot be reached or failed while answering."""

    exit_code = 7
    http_status = 503


class StorageError(ArchiveError):
    """The disk refused a write: it is full, failing or read-only.

    The write in progress is abandoned whole; what was committed before it stays.
    """

    exit_code = 9
    http_status = 503


def nothing_indexed(data_dir: Path) -> NothingIndexed:
    """The error for a data directory without an index: absent, or never indexed into."""
    if not data_dir.is_dir():
        error = NothingIndexed(
            f"the data directory {data_dir} does not exist, so nothing has been indexed there "
            "yet: run `newsarchive index PATH` first, or point --data-dir (NEWSARCHIVE_HOME) "
            "at an archive",
            public="the archive's data directory does not exist: nothing has been indexed "
            "there yet, or it was moved or removed",
        )
        error.absent = True
        return error
    return NothingIndexed(
        f"nothing has been indexed in {data_dir} yet; run `newsarchive index PATH` first",
        public="nothing has been indexed yet; add articles with `newsarchive index PATH`",
    )


def unreadable_index(where: object, reason: object) -> IndexMissing:
    """The error for an index that is there but cannot be opened or read."""
    return IndexMissing(
        f"the index {where} cannot be read: {reason}",
        public="the index cannot be read right now; the server's log says why",
    )
