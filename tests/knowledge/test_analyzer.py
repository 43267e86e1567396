"""German-aware matching: folding, stems, compounds, abbreviations, synonyms, typos."""

from knowledge.analyzer import Analyzer
from knowledge.lexicon import load_lexicon
from knowledge.text import fold, stem, words


def _analyzer(*texts: str) -> Analyzer:
    corpus = {w for text in texts for w in words(text)}
    return Analyzer(load_lexicon(), corpus)


def _terms(analyzer: Analyzer, text: str) -> set[str]:
    return {term for word in analyzer.query(text) for term in word.terms}


def test_umlauts_and_sharp_s_fold_to_their_spelled_out_forms():
    assert fold("Fördermaßnahmen ÜBER Ärger") == "foerdermassnahmen ueber aerger"
    assert stem(fold("Förderung")) == stem("foerderung")


def test_hyphenated_words_also_count_joined():
    assert "klimakommune" in words("Klima-Kommune")


def test_compound_and_its_parts_share_terms():
    analyzer = _analyzer("Konzept zur Klimaanpassung", "Klimaanpassungskonzept")
    compound = _terms(analyzer, "Klimaanpassungskonzept")
    phrase = _terms(analyzer, "Konzept zur Klimaanpassung")
    assert {stem("konzept"), stem("klimaanpassung")} <= compound & phrase


def test_abbreviations_expand():
    analyzer = _analyzer("Kommunalrichtlinie des Bundes", "Treibhausgasbilanz")
    assert stem("kommunalrichtlinie") in _terms(analyzer, "KRL")
    assert stem("treibhausgas") in _terms(analyzer, "THG Bilanz")


def test_case_sensitive_abbreviation_only_in_capitals():
    analyzer = _analyzer("Deutsche Anpassungsstrategie")
    assert stem("anpassungsstrategie") in _terms(analyzer, "Förderung aus dem DAS-Programm")
    assert stem("anpassungsstrategie") not in _terms(analyzer, "was ist das")


def test_synonyms_map_to_one_canonical_term():
    analyzer = _analyzer("Förderung")
    assert stem("foerderung") in _terms(analyzer, "Zuschuss")
    assert stem("photovoltaik") in _terms(analyzer, "Solaranlage")


def test_typos_are_corrected_to_known_words():
    analyzer = _analyzer("Aktionsplan", "Klimarichtlinie", "Treibhausgasbilanz")
    assert stem("aktionsplan") in _terms(analyzer, "aktionspaln")
    assert stem("klimarichtlinie") in _terms(analyzer, "klimarichtlinei")


def test_unknown_words_stay_unknown():
    analyzer = _analyzer("Aktionsplan")
    (word,) = analyzer.query("Apfelkuchen")
    assert not word.known
