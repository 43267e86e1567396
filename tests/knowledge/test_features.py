"""Features of a message: dialect and English mapped onto the words of the entries."""

import pytest

from knowledge.features import feature_counts, load_translations, looks_english, standard_text, tokens


def test_hessian_dialect_becomes_standard_german():
    assert tokens("Mer hawwe net unnerschriwwe") == ["wir", "haben", "nicht", "unterschrieben"]


def test_hyphenated_words_yield_their_parts_and_the_joined_word():
    assert tokens("Klima-Kommunen") == ["klima", "kommunen", "klimakommunen"]


def test_english_domain_words_are_translated_for_the_search():
    assert "aktionsplan" in standard_text("When is the deadline for the action plan?").split()
    assert looks_english("What does the action plan have to contain?")
    assert not looks_english("Was muss in den Aktionsplan?")


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("how many Klima-Kommunen exist?", True),  # one function word: English-only words count too
        ("free federal advice centre for climate adaptation - phone number?", True),
        ("Misse mer do mitmache odder is des freiwillich?", False),  # Hessian "is" and "do"
        ("Hi, wir wollen nach der KlimaRL beantragen. Gefährdet das den Zuschlag?", False),
    ],
)
def test_short_english_questions_and_hessian_are_told_apart(text, english):
    assert looks_english(text) is english


def test_a_misspelt_english_domain_word_is_translated_too():
    assert "pflicht" in standard_text("is membership mandatroy for towns?").split()
    assert "foerderung" in standard_text("How much fundng do we get?").split()
    assert "foerderung" not in standard_text("Is it fun?").split()  # a short word is not taken for "fund"


def test_english_words_that_look_like_dialect_stay_english():
    assert tokens("How much funding do we get?") == ["how", "much", "funding", "do", "we", "get"]
    assert "da" not in standard_text("Do we have to report every year?").split()
    assert tokens("Wie lang hammer do Zeit?")[-2] == "da"  # Hessian "do" is "da"


def test_an_emoji_is_a_feature_of_its_own():
    assert feature_counts("👍")["s:👍"] == 1


def test_curators_extend_the_word_translations_in_a_yaml_file(tmp_path):
    from knowledge.features import TRANSLATIONS_FILE, load_translations

    dialect, english = load_translations(TRANSLATIONS_FILE)
    assert dialect["hawwe"] == "haben" and english["funding"] == "foerderung"
    own = tmp_path / "translations.yaml"
    own.write_text('dialect:\n  Gemää: "Gemeinde"\nenglish:\n  "on": "an"\n', encoding="utf-8")
    assert load_translations(own) == ({"gemaeae": "gemeinde"}, {"on": "an"})


def test_a_word_translated_twice_is_an_error_not_a_silent_overwrite(tmp_path):
    own = tmp_path / "translations.yaml"
    own.write_text(
        'dialect:\n  mer: "wir"\nenglish:\n  heavy: "stark"\n  heavy: "starkregen"\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="heavy"):
        load_translations(own)
