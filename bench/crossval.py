"""Leave-one-collection-out cross-validation for bench/relevance.py.

Each parameter is chosen, for each collection in turn, on the other collections only (the
mean of their nDCG@10, each collection weighing alike) and reported on the held-out one,
beside the value the archive ships. A change that only helps the collections it was
chosen on shows up as a loss on the held-out ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

#: per collection: parameter value -> mean nDCG@10
Study = Mapping[str, Mapping[float, float]]


def leave_one_out(
    name: str,
    study: Study,
    shipped: float,
    show: Callable[[float], str] = "{:g}".format,
    former: float | None = None,
) -> list[str]:
    """Lines of the cross-validation of one parameter (``show`` writes a value; ``former``
    is the value the archive had before, shown too)."""
    lines = [f"{name}: chosen on the other collections, reported on the held-out one"]
    collections = list(study)
    for held in collections:
        others = [other for other in collections if other != held]
        if not others:
            break
        values = list(study[held])
        best = max(values, key=lambda v: (sum(study[o][v] for o in others) / len(others), -v))
        before = f"; former ({show(former)}): {study[held][former]:.3f}" if former else ""
        lines.append(
            f"  {held:<10} {name} {show(best)} (chosen on {', '.join(others)}): nDCG@10 "
            f"{study[held][best]:.3f}; shipped ({show(shipped)}): {study[held][shipped]:.3f}"
            + before
        )
    overall = max(study[collections[0]], key=lambda v: sum(study[c][v] for c in collections))
    lines.append(f"  best on all collections together: {name} {show(overall)}")
    return lines


def feedback_study(
    per_query: Mapping[str, tuple[Mapping[str, float], Mapping[str, float], Mapping[str, float]]],
    thresholds: Sequence[float],
) -> dict[str, dict[float, float]]:
    """nDCG@10 when feedback runs for the queries whose predictor is at most a threshold:
    ``per_query[collection]`` holds each query's nDCG@10 without and with feedback and its
    predictor value."""
    out: dict[str, dict[float, float]] = {}
    for collection, (plain, expanded, predictor) in per_query.items():
        out[collection] = {
            t: sum(expanded[q] if predictor[q] <= t else plain[q] for q in plain)
            / max(len(plain), 1)
            for t in thresholds
        }
    return out
