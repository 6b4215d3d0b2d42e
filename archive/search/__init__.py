"""What every engine's answer goes through, whichever engine gave it.

``spelling`` proposes a better-spelled query ("did you mean"), ``expansion`` does the
arithmetic of pseudo-relevance feedback, ``timeline`` turns counts per day into the
buckets of the timeline. None of them knows an engine.
"""
