"""Which revision of the article analysis wrote an article's stored records.

The analysis is what spaCy's parse gives ingest: the quotes and their speakers
(ingest/quotes.py) and the named entities (bot/nlp.py's pipeline). Its
revision is part of every article's version hash (ingest/identity.py), so after
an upgrade that changes what is extracted, ingesting the same sources again
rewrites their records (reported as updated, old version removed after the new
one is written) instead of calling them unchanged and keeping stale quotes.

Bump ANALYSIS_VERSION with any change to ingest/quotes.py or the spaCy pipeline
that changes its output (tests/test_quotes.py's fixed snippets usually show it).
"""

ANALYSIS_VERSION = 13  # stop 23: "the chancellor" is not the shadow chancellor (role modifiers must be said)
