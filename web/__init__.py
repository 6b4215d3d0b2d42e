"""The web front end: a Flask adapter over ``archive.Archive``.

``create_app`` builds the app (there is no module-level app); ``serve`` runs it under
waitress. Every HTML page has a JSON twin, and every error goes through one handler.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from archive.config import Settings
from archive.core import Archive
from archive.errors import ArchiveError
from web import api, articles, cite, compare, errors, feeds, kwic, saved, search, security, words

#: requests carry their parameters in the URL; a body is never needed
MAX_BODY_BYTES = 64 * 1024
#: the request line and headers waitress accepts: room for a query far over the archive's
#: own limit, so an overlong query is answered by our 400, not by the server's bare 431
MAX_HEADER_BYTES = 2 * 1024 * 1024


def create_app(settings: Settings | None = None, archive: Archive | None = None) -> Flask:
    """The Flask app over ``archive`` (opened from ``settings`` when not given)."""
    if archive is None:
        archive = Archive(settings or Settings.load())
    settings = settings or archive.settings
    app = Flask(__name__)
    app.config.update(
        TRUSTED_HOSTS=list(settings.trusted_hosts) or None,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions["archive"] = archive
    for module in (search, articles, api, feeds):
        app.register_blueprint(module.bp)
    for module in (compare, words, kwic, cite, saved):  # the research tools
        app.register_blueprint(module.bp)
    errors.register(app)
    security.register(app)
    return app


def serve(settings: Settings, ready: Callable[[str], object] | None = None) -> None:
    """Run the app under waitress on ``settings.host``:``settings.port`` until stopped.

    Idle and slow connections are bounded (``Settings.connection_limit``,
    ``channel_timeout``, ``cleanup_interval``, ``backlog``), so clients that connect and
    send nothing, or trickle their headers, do not keep others from being answered.
    ``ready`` is told the address once the server listens; ``ArchiveError`` when the
    address cannot be listened on (a port in use, say).
    """
    from waitress.server import create_server

    app = create_app(settings)
    try:
        try:
            server = create_server(
                app,
                host=settings.host,
                port=settings.port,
                threads=settings.threads,
                ident="newsarchive",
                max_request_header_size=MAX_HEADER_BYTES,
                connection_limit=settings.connection_limit,
                channel_timeout=settings.channel_timeout,
                cleanup_interval=settings.cleanup_interval,
                backlog=settings.backlog,
                # poll(), not select(): no limit of 1,024 descriptors on open connections
                asyncore_use_poll=True,
            )
        except OSError as exc:
            raise ArchiveError(
                f"cannot listen on {settings.host} port {settings.port}: "
                f"{exc.strerror or exc}; is another server running there? Choose another "
                "--port (NEWSARCHIVE_PORT) or --host"
            ) from None
        if ready is not None:
            ready(f"http://{settings.host}:{settings.port}/")
        server.run()
    finally:
        app.extensions["archive"].close()
