"""Training work in a forked helper process: the same result as computed here, also when the helper
fails or there is no second core."""

import os

import numpy as np
import pytest

from knowledge import forked, vectors
from knowledge.features import feature_counts
from knowledge.forked import ForkedCall
from knowledge.vectors import count_matrix, count_texts, featurize

needs_two_cores = pytest.mark.skipif(not forked.second_core_available(), reason="one core or no fork here")


@needs_two_cores
def test_the_work_runs_in_another_process_and_its_result_comes_back():
    parent = os.getpid()
    assert ForkedCall(lambda: (os.getpid(), [1.5, "zwei"])).result()[1] == [1.5, "zwei"]
    assert ForkedCall(os.getpid).result() != parent


@needs_two_cores
def test_a_helper_that_dies_without_an_answer_leaves_the_work_to_the_caller():
    parent = os.getpid()

    def work() -> int:
        if os.getpid() != parent:
            os._exit(3)  # the helper dies before it sends anything
        return 42

    assert ForkedCall(work).result() == 42


def test_without_a_second_core_the_caller_computes_it(monkeypatch):
    monkeypatch.setattr(forked, "second_core_available", lambda: False)
    assert ForkedCall(os.getpid).result() == os.getpid()


@needs_two_cores
def test_counting_in_two_processes_gives_the_same_vectors_as_in_one(monkeypatch):
    monkeypatch.setattr(vectors, "PARALLEL_FROM_TEXTS", 10)
    texts = [f"Wie hoch ist die Förderung für Projekt {i} 👍?" for i in range(30)] + [
        "Ei gude, mer hawwe en Aktionsplan",
        "What is the deadline for the action plan?",
    ] * 5
    labels = [f"l{i % 3}" for i in range(len(texts))]
    examples = list(zip(texts, labels, strict=True))
    together = featurize(examples, counts=count_texts(texts))
    alone = featurize(examples, counts=count_matrix([feature_counts(text) for text in texts]))
    assert together.vocabulary == alone.vocabulary
    assert np.allclose(together.idf, alone.idf)
    for (indices, values), (expected_indices, expected_values) in zip(together.rows, alone.rows, strict=True):
        assert np.array_equal(indices, expected_indices) and np.allclose(values, expected_values)
