"""What the format parsers share: text and markup helpers that know no single format.

``paragraphs`` turns markup and plain text into paragraphs; ``boilerplate`` finds what is
not article text; ``dates`` and ``encoding`` read dates and bytes as sources write them;
``xmlsafe`` parses XML without its dangers; ``extract``, ``htmlmeta`` and ``jsonld`` read a
web page's body and metadata; ``agency`` tidies what the news-agency formats carry.
"""
