"""Whoosh, and what the archive changes in it: the one place that touches Whoosh's private parts.

Two lists say everything the archive assumes about Whoosh's insides:

* ``PATCHES``: the Whoosh methods the archive replaces, each with why, the test that pins
  it, and the sha256 of the upstream source it replaces (whoosh-reloaded 2.7.5).
  ``apply()`` installs them; it runs when a ``WhooshEngine`` opens and in each of the bulk
  writer's worker processes, never as a side effect of an import, and a second call
  changes nothing.
* ``PRIVATE``: the private attributes the archive reads or overrides, where, and the
  upstream functions whose sources (hashed the same way) to read again when they change.

``tests/test_whoosh_compat.py`` fails, naming the patch or the private read, when an
upstream source differs from the one hashed here. Then read the new upstream code, adapt
or drop the patch or read, and record the new hash (``source_hash(target)`` gives it).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archive.engines.whoosh.compat import files, matching, tasks, writing
from archive.engines.whoosh.compat.private import (
    length_column,
    locked_writer,
    numeric_column_format,
    numeric_width,
    posting_blocks,
    set_field_lengths,
    writer_lock,
)

__all__ = [
    "PATCHES",
    "PRIVATE",
    "Patch",
    "Private",
    "apply",
    "length_column",
    "locked_writer",
    "numeric_column_format",
    "numeric_width",
    "patched",
    "posting_blocks",
    "set_field_lengths",
    "source_hash",
    "upstream",
    "writer_lock",
]

WRITER_TEST = (
    "tests/test_whoosh_compat_writing.py::test_patched_writer_writes_the_same_index_as_whoosh"
)


def _resolve(target: str) -> tuple[Any, str]:
    """The object holding ``target`` (``module.Class.name`` or ``module.name``) and the name."""
    parts = target.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1]
    raise ImportError(f"cannot find {target}")


@dataclass(frozen=True)
class Patch:
    """One Whoosh method replaced by the archive's."""

    target: str  #: ``module.Class.method`` replaced
    replacement: Callable[..., Any]
    why: str  #: what it fixes or speeds up
    test: str  #: the test that pins it
    sha256: str  #: of ``inspect.getsource`` of the upstream method it replaces
    owner: Any = field(init=False, repr=False, compare=False)
    name: str = field(init=False, repr=False, compare=False)
    #: the upstream method, taken when this module is imported, before any ``apply``
    original: Callable[..., Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        owner, name = _resolve(self.target)
        object.__setattr__(self, "owner", owner)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "original", vars(owner)[name])

    def applied(self) -> bool:
        return vars(self.owner).get(self.name) is self.replacement


@dataclass(frozen=True)
class Private:
    """Private attributes of Whoosh the archive reads or overrides."""

    what: str  #: the attributes
    where: str  #: the archive's code that uses them
    recheck: dict[str, str]  #: upstream functions to read again -> sha256 of their source


PATCHES: tuple[Patch, ...] = (
    Patch(
        "whoosh.writing.SegmentWriter._flush_segment",
        writing.flush_segment,
        "a commit reads each field's length column once per segment, not once per posting "
        "through a column reader and a file read (a fifth of a commit's time)",
        WRITER_TEST,
        "a4b79c8a3687febde7eec7c7cb17a643f6f79bc75cf50ea6a1a9ead97dbc52ea",
    ),
    Patch(
        "whoosh.codec.whoosh3.W3PerDocReader._cached_reader",
        writing.cached_reader,
        "absent columns (keyword and numeric fields have no length column) are remembered "
        "too, instead of a file-system stat for every posting written: millions in a bulk run",
        WRITER_TEST,
        "2e27976f892aee8fe9c2619408ca295432d5fdd10f94a3bbbbd8d89bd7f304f7",
    ),
    Patch(
        "whoosh.externalsort.SortingPool._write_run",
        writing.write_run,
        "a writer spilling sorted postings to disk pickles them in chunks of 8,192, not one "
        "pickle.dump per posting (the largest single cost of a big commit)",
        WRITER_TEST,
        "32c02452baf934a2e7253904046014167c4b6140c4154aa86de842c61b0711b4",
    ),
    Patch(
        "whoosh.externalsort.SortingPool._read_run",
        writing.read_run,
        "reads the chunked runs _write_run writes (the two are applied together)",
        WRITER_TEST,
        "54e7f07017c9712ef2d09eacdc19d0000161cbeee6bda0ad2213c70a930ae936",
    ),
    Patch(
        "whoosh.multiproc.MpWriter._new_task",
        tasks.new_task,
        "the bulk writer's worker processes install these patches (also when started by "
        "spawn or forkserver) and die with their parent: an orphan kept the index's locks",
        "tests/test_whoosh_compat.py::test_bulk_writer_tasks_apply_the_patches; "
        "tests/test_rebuild_crash.py (SIGKILL during reindex, the next reindex runs)",
        "07d765c7cc495662637ad49900e9404d7430a6bb1a09f786d595c02ceff7ec98",
    ),
    Patch(
        "whoosh.filedb.structfile.BufferFile.__init__",
        files.buffer_file,
        "compound segment parts are read in place through a memoryview, not copied: each "
        "searcher (one per thread) held ~250 MB of copies at 108,000 articles",
        "tests/test_whoosh_compat.py::test_buffer_files_read_in_place_like_bytesio",
        "92f1c0a5b1a2fd70d30c960197f92bd0da681aa74201d5cc061867d31dfe4d67",
    ),
    Patch(
        "whoosh.matching.binary.AndNotMatcher._find_first",
        matching.and_not_first,
        "a wrong answer: ``a ANDNOT b`` kept a's first document when b started earlier and "
        "held it too (the Whoosh matchers are the tests' reference for the arrays)",
        "tests/test_whoosh_compat.py::test_and_not_excludes_the_first_document_too",
        "32985cab39167f961ed5535658107c747f57b82bc641c69a68a475cfdc9b3831",
    ),
)

PRIVATE: tuple[Private, ...] = (
    Private(
        "SpanNear2Matcher.ms, ._get_spans() (overridden: slop over the whole phrase) and "
        "AndNotMatcher._find_next() (called by the patched _find_first)",
        "compat.matching, for phrase.OrderedPhrase's matcher and the AndNot patch",
        {
            "whoosh.query.spans.SpanNear2.SpanNear2Matcher.__init__": (
                "b75530755edc98b0cc051350a975b4d2d8b9357ca6a7db8949740e3a930660fd"
            ),
            "whoosh.query.spans.SpanNear2.SpanNear2Matcher._get_spans": (
                "56d2b6d41a5fc87e720909820296968d1389ca439a23d6043e99870b7b728a13"
            ),
            "whoosh.query.spans.SpanNear2.SpanNear2Matcher.copy": (
                "69200ab62bc0cf5eba7ac481672514f93720f8b07de0a7b4939bda9b2ebdd67f"
            ),
            "whoosh.matching.binary.AndNotMatcher._find_next": (
                "6581a9ba7778544c1be179980ee03caddc45046fe6da27163048c6538881ed8d"
            ),
        },
    ),
    Private(
        "W3LeafMatcher._byteids, ._data, ._read_data(), ._read_values(), ._values, "
        "._blocklength, ._next_block() (postings a block at a time)",
        "compat.private.posting_blocks, for arrays.View.postings and .positions (every "
        "search, every facet and copy array)",
        {
            "whoosh.codec.whoosh3.W3LeafMatcher.__init__": (
                "a1cbbb01622f17ec496eb3a263f23a3318b5fc70c0d65f2ffe04ba7d1535041b"
            ),
            "whoosh.codec.whoosh3.W3LeafMatcher._goto": (
                "cf5edba3e9484d5719d7e73154584b6d82943de1c0aac22cb3e2432b4e61063f"
            ),
            "whoosh.codec.whoosh3.W3LeafMatcher._next_block": (
                "2fb1dc5070ec4a68416f73a28b08b33d00e49d14dba1fa34c2d29e477110d5a9"
            ),
            "whoosh.codec.whoosh3.W3LeafMatcher._read_data": (
                "150a9642f8b55013f73ada0009c190e5363aa735e2dc0bcab77aa96f2a49101a"
            ),
            "whoosh.codec.whoosh3.W3LeafMatcher._read_ids": (
                "f8024a90ec60697e56ce17b450f68e5c79d439ccbe3659165b49fbfc9d93c2e5"
            ),
            "whoosh.codec.whoosh3.W3LeafMatcher._read_weights": (
                "124012c8d21aa1a721ae185749dfb20abf55c7a2586473df1132a006616ea6f0"
            ),
            "whoosh.codec.whoosh3.W3LeafMatcher._read_values": (
                "7c8930f74988e0c50f45aa1ac30ef4fdb2afff6c895c58a6bd47e360f1570b49"
            ),
        },
    ),
    Private(
        "SegmentReader._perdoc, whoosh3._lenfield (the codec's column of field lengths)",
        "compat.private.length_column, for arrays.View.lengths (BM25 length normalisation)",
        {
            "whoosh.reading.SegmentReader.__init__": (
                "960bfd925f5f8794d995c95d21bd97eb5cefd63e20ac9edc37a64daa92ecfdaf"
            ),
            "whoosh.codec.whoosh3._lenfield": (
                "efa07a8a57fa9ce94a2787141af81f88c0d6a9ca2b6221c888b55afeb44f10a0"
            ),
            "whoosh.codec.whoosh3.W3PerDocReader.doc_field_length": (
                "6f6c39c338eb61dc4fb9782d24f125efe3750eeea713ba7ed52a1a4c4a9e76da"
            ),
        },
    ),
    Private(
        "Index.writer(_lk=False), SegmentWriter.writelock (the caller holds the write lock)",
        "compat.private.locked_writer and writer_lock, for write.WhooshWriter",
        {
            "whoosh.writing.SegmentWriter.__init__": (
                "6f5e4c4237ba887e5b8b9f2f9e6ce11a29f44af48350ee54457ab4b575c6f803"
            ),
            "whoosh.writing.SegmentWriter._finish": (
                "9efc16e8afa7029d262687db0cf73a571201b318960d7dbd0a54f6913aa1c4fb"
            ),
            "whoosh.multiproc.MpWriter.__init__": (
                "f4143818ad720a285fc9eec18f6483f70d1f6134fb022037d9ce28eecbb78598"
            ),
        },
    ),
    Private(
        "WrappingMatcher._replacement (overridden: a replaced child keeps the BM25F stats)",
        "rank.FieldsMatcher",
        {
            "whoosh.matching.wrappers.WrappingMatcher.replace": (
                "8f4d49d13adb2a7271927253d55d4ee1db48189176a3bbbf6a3701d983631483"
            ),
        },
    ),
    Private(
        "W3PerDocReader._readers, ._cached_reader(), whoosh3._lenfield; SegmentWriter's "
        "perdocwriter, fieldwriter, pool, codec; SortingPool._open_run(), ._remove_run()",
        "the patches in compat.writing",
        {
            "whoosh.codec.whoosh3.W3PerDocReader.__init__": (
                "78fcbd3fa57eae6e376c3f1f09a053934e2127c869798199920854ecc4530de6"
            ),
            "whoosh.externalsort.SortingPool._open_run": (
                "c95678269eb721badfd0ea5ca5be9efbfeddfd775d298f4d15c07e3b1c04e3d7"
            ),
            "whoosh.externalsort.SortingPool._remove_run": (
                "77f211a60db6aa883cdae951e9b1642432bf1cf149afd7d3519dec3386c23af8"
            ),
        },
    ),
    Private(
        "BufferFile._buf, ._name, .file and the file methods StructFile calls on .file",
        "the patch in compat.files",
        {
            "whoosh.filedb.structfile.StructFile": (
                "d781a6ab05a5edce2df526e7def3d95d9400be63feafee893d791a93f1dc3d3a"
            ),
            "whoosh.filedb.structfile.BufferFile": (
                "5ab15f6e9f87cde5dafaaeceb8579d238397826ebf80cc2d2b12a7d869a522b6"
            ),
        },
    ),
    Private(
        "SubWriterTask.run, MpWriter's storage, indexname, jobqueue, resultqueue, subargs, "
        "multisegment, tasks",
        "the patch in compat.tasks",
        {
            "whoosh.multiproc.SubWriterTask.run": (
                "901fe6b1f40cfaed5824bc56e09c43d14c0ae918790bbde703efd895b2325ddc"
            ),
        },
    ),
    Private(
        "the W3 segment format itself (posting blocks, term entries, the hashed term index, "
        "length, numeric and stored columns, the compound file, the table of contents) and "
        "Segment._fieldlengths, NUMERIC._struct, NumericColumn._typecode and ._default",
        "segments (a segment written from arrays, byte for byte what Whoosh's writer "
        "writes); compat.private.set_field_lengths, numeric_width, numeric_column_format",
        {
            "whoosh.codec.whoosh3.W3PostingsWriter._write_block": (
                "19e3c784208a0cdde95ab2a9709878072ee5828d8844854bdae0eed766644b13"
            ),
            "whoosh.codec.whoosh3.W3PostingsWriter.finish_postings": (
                "d73a95bf811a6541e16b8a8699482b4589b5a32bf72488eb3027b82eee133044"
            ),
            "whoosh.codec.whoosh3.W3TermInfo": (
                "bdcfe55b14987b10f156c3603d9ca8c6d883cf5092fca966ea19243d593c065e"
            ),
            "whoosh.codec.whoosh3.W3PerDocWriter.close": (
                "840dcbdb0e1718bb6280ad6d3b54d71eeae2f909ae6a6f5c5c12450de84ece22"
            ),
            "whoosh.filedb.filetables.HashWriter._write_hashes": (
                "3455643a570eacedcfeedf65fbdb0816a58262efe6d1423a432fd7e4d9f51e57"
            ),
            "whoosh.filedb.filetables.OrderedHashWriter": (
                "fc6bed9baf7bbdd2317fc107a8893a1b962913f4b141a6210a317993f91c7c62"
            ),
            "whoosh.columns.VarBytesColumn.Writer": (
                "2970a944aed36b84cb6867773283c3a279ce33430a091fabd8591de2846d8fb0"
            ),
            "whoosh.columns.NumericColumn.Writer": (
                "56bfc668ba571ac40881c3a93ac4b75648d09648357a72de94fe40e8c17424ba"
            ),
            "whoosh.filedb.compound.CompoundStorage.assemble": (
                "ea595ac1e16338a4f9677ebe03fd88e2dbab1d2987f1e99347551694eb7c96b8"
            ),
            "whoosh.writing.SegmentWriter.commit": (
                "87ba9b634dd0e9f0af4d6b56e7f9fea3002606f9fa8c013dcccc7e65d5c499a0"
            ),
            "whoosh.util.numeric.length_to_byte": (
                "9ae45a8752d0563ff91ef3dc1abd0705d26db44b44f199d445c5388ab957dd8f"
            ),
            "whoosh.formats.Positions.encode": (
                "b6e9a8ce4fe978538745e14bbb76ae0b13abe06a00f9b77a0e85de25eb1305d1"
            ),
            "whoosh.fields.NUMERIC.__init__": (
                "5e618237f4ad047823dd95a1e151f26b9720a0bee7d841f170af38ddda8ba7fb"
            ),
            "whoosh.fields.NUMERIC.sortable_terms": (
                "07b9d4898dc412987e7128c98fe10b8a545384853b7543296aa9b38081147a29"
            ),
        },
    ),
)


def apply() -> None:
    """Install every patch; idempotent, so each engine and each worker process calls it."""
    for patch in PATCHES:
        if not patch.applied():
            setattr(patch.owner, patch.name, patch.replacement)


def patched() -> list[str]:
    """The targets of the patches in force."""
    return [patch.target for patch in PATCHES if patch.applied()]


def upstream(target: str) -> Any:
    """Whoosh's own object at ``target``, as it was before any patch."""
    for patch in PATCHES:
        if patch.target == target:
            return patch.original
    owner, name = _resolve(target)
    return getattr(owner, name)


def source_hash(target: str) -> str:
    """The sha256 of the upstream source at ``target``, as the tables record it."""
    return hashlib.sha256(inspect.getsource(upstream(target)).encode("utf-8")).hexdigest()
