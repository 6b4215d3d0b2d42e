"""Writing to one OpenSearch generation: changes buffered until ``commit``, then sent with
the client's bulk helper, so a write block that fails sends nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.helpers import BulkIndexError

from archive.engines.opensearch.cluster import WriteLock, unavailable
from archive.engines.opensearch.mapping import to_document
from archive.errors import EngineUnavailable
from archive.models import Article

#: seconds one bulk request may take
BULK_TIMEOUT = 120


class OpenSearchWriter:
    """Buffered adds and deletes on one generation, sent with the bulk helper at ``commit``
    (the indexer commits every few thousand articles, which bounds the buffer)."""

    def __init__(
        self, client: OpenSearch, url: str, lock: WriteLock, index: str, fresh: bool
    ) -> None:
        self._client = client
        self._url = url
        self._lock = lock
        self._index = index
        self._fresh = fresh
        self._pending: list[dict[str, Any]] = []
        #: for a rebuild: whether it continues one that was interrupted
        self.resumed = False
        #: the cluster analyses: nothing to do in the parsing processes
        self.prepare = None

    def add(self, articles: Iterable[Article], prepared: Any = None) -> None:
        for article in articles:
            self._pending.append(
                {"_index": self._index, "_id": article.id, "_source": to_document(article)}
            )

    def delete(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self._pending.append({"_op_type": "delete", "_index": self._index, "_id": article_id})

    def commit(self) -> None:
        self._send()
        if not self._fresh:
            with unavailable(self._url):
                self._client.indices.refresh(index=self._index)
        with unavailable(self._url):
            self._lock.renew()

    def cancel(self) -> None:
        self._pending.clear()

    def _send(self) -> None:
        if not self._pending:
            return
        actions, self._pending = self._pending, []
        with unavailable(self._url):
            try:
                helpers.bulk(
                    self._client,
                    actions,
                    ignore_status=(404,),
                    request_timeout=BULK_TIMEOUT,
                )
            except BulkIndexError as exc:
                first = next(iter(exc.errors[0].values())) if exc.errors else {}
                raise EngineUnavailable(
                    f"OpenSearch refused {len(exc.errors)} of {len(actions)} changes: "
                    f"{(first.get('error') or {}).get('reason', first)}"
                ) from None
