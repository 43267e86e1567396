"""Hessian sound shifts undone as extra stem features."""

from knowledge.dialect import respellings
from knowledge.features import feature_counts
from knowledge.text import stem


def test_regular_hessian_spellings_are_respelled_in_standard_german():
    assert respellings("eischentlich") == ("eigentlich",)
    assert respellings("irschendwo") == ("irgendwo",)
    assert respellings("klimarischtlinie") == ("klimarichtlinie",)
    assert respellings("antrach") == ("antrag",)
    assert respellings("hawwe") == ("habe",)
    assert "zustaendig" in respellings("zustaendisch")
    assert respellings("machen") == () and respellings("des") == ()


def test_a_respelling_adds_a_stem_and_keeps_the_word():
    counts = feature_counts("Wo stell isch de Antrach fer die Klimarischtlinie?")
    assert counts[f"w:{stem('antrag')}"] == 1 and counts[f"w:{stem('antrach')}"] == 1
    assert counts[f"w:{stem('klimarichtlinie')}"] == 1


def test_english_messages_are_not_respelled():
    counts = feature_counts("Where do we submit the Antrach for the programme?")
    assert f"w:{stem('antrag')}" not in counts
