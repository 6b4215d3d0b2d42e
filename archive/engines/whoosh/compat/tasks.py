"""The bulk writer's worker processes: the patch on ``MpWriter._new_task``.

Whoosh's ``MpWriter`` analyses documents in ``SubWriterTask`` processes it starts with
``multiprocessing``. ``Task`` is such a process that first installs the archive's patches
(a forked process inherits them; one started by ``spawn`` or ``forkserver`` re-imports its
modules and would not have them) and then dies with the writer that started it: an
orphaned task waits for jobs forever while holding the index's locks it inherited.
"""

from __future__ import annotations

from typing import Any

from whoosh import multiproc

from archive.workers import die_with_parent


class Task(multiproc.SubWriterTask):
    """``SubWriterTask`` with the archive's patches in force, dying with its parent."""

    def run(self) -> None:
        from archive.engines.whoosh import compat  # the table imports this module

        compat.apply()
        die_with_parent()
        super().run()


def new_task(self: Any) -> Any:
    """``MpWriter._new_task`` starting a ``Task`` instead of a plain ``SubWriterTask``."""
    task = Task(
        self.storage,
        self.indexname,
        self.jobqueue,
        self.resultqueue,
        self.subargs,
        self.multisegment,
    )
    self.tasks.append(task)
    task.start()
    return task
