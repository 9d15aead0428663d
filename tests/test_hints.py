"""The "did you mean" hints: `graph.errors.NearWords` answers exactly as difflib does, and
`validate` with many unknown references against many ids stays fast (bench/validate_hints.py
measures the growth)."""

from __future__ import annotations

import difflib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sistercities.errors import NearWords, did_you_mean

ALPHABETS = ("ab", "abc-", "abcdefghij-0123", "aàáâãäåbcçdeéèfgh", "漢字かなカナ-")


def _words(rng: random.Random, alphabet: str, count: int) -> list[str]:
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 14))) for _ in range(count)]


def _mutated(rng: random.Random, word: str, alphabet: str) -> str:
    letters = list(word)
    for _ in range(rng.randint(0, 3)):
        where = rng.randint(0, len(letters))
        action = rng.choice("ids")
        if action == "i":
            letters.insert(where, rng.choice(alphabet))
        elif letters and where < len(letters):
            if action == "d":
                del letters[where]
            else:
                letters[where] = rng.choice(alphabet)
    return "".join(letters)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    alphabet=st.sampled_from(ALPHABETS),
    size=st.sampled_from([NearWords.SMALL, NearWords.SMALL + 1, 700]),
    n=st.integers(1, 5),
    cutoff=st.sampled_from([0.0, 0.3, 0.6, 0.8, 1.0]),
)
@pytest.mark.slow
def test_the_index_answers_as_difflib_does(
    seed: int, alphabet: str, size: int, n: int, cutoff: float
) -> None:
    rng = random.Random(seed)
    choices = _words(rng, alphabet, size)
    near = NearWords(choices)
    words = [_mutated(rng, rng.choice(choices), alphabet) for _ in range(4)]
    words += [*_words(rng, alphabet, 2), ""]
    for word in words:
        assert near.closest(word, n=n, cutoff=cutoff) == difflib.get_close_matches(
            word, choices, n=n, cutoff=cutoff
        ), (word, n, cutoff)


def test_hints_of_generated_ids_are_difflibs() -> None:
    rng = random.Random(16)
    ids = sorted({f"place-{rng.randint(0, 99_999):05d}" for _ in range(3_000)})
    near = NearWords(ids)
    for word in ["place-1234", "palce-00042", "plaec-9", "x", "place-000001"]:
        assert near.closest(word, n=3) == difflib.get_close_matches(word, ids, n=3)
    assert did_you_mean("citys", ["sources", "cities"]) == "; did you mean 'cities'?"
