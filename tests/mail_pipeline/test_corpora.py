"""Every real-world message of ../shared/corpora goes through the pipeline: processed or quarantined, never a crash."""

from collections import Counter

from mail.handling import Outcome, handle_email
from tests.conftest import SHARED, requires_shared

CORPORA = SHARED / "corpora"
pytestmark = requires_shared
SKIP_SUFFIXES = {".md", ".json", ".py", ".rb", ".js", ".php", ".txt.expected"}


def corpus_files():
    return sorted(
        path
        for path in CORPORA.rglob("*")
        if path.is_file()
        and path.suffix not in SKIP_SUFFIXES
        and "LICENSE" not in path.name
        and "README" not in path.name
    )


async def test_every_corpus_message_is_processed_or_quarantined(inbox):
    files = corpus_files()
    assert len(files) > 50
    outcomes = Counter()
    for path in files:
        result = await handle_email(path.read_bytes(), inbox)
        assert result.outcome in (Outcome.PROCESSED, Outcome.QUARANTINE), path
        outcomes[result.outcome] += 1
    print(f"{len(files)} corpus files: {dict(outcomes)}")
    assert outcomes[Outcome.PROCESSED] > 0
