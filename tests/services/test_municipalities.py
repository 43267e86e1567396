"""Municipality matcher: typed names, ambiguity, signatures and e-mail domains of Hessian municipalities."""

import ast
import time
from pathlib import Path

import pytest

from services import municipalities as module
from services.municipalities import (
    AMBIGUITY_MARGIN,
    MATCH_THRESHOLD,
    Municipality,
    MunicipalityDirectory,
    load_municipalities,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED_CSV = ROOT.parent / "shared" / "data" / "hessen-kommunen.csv"
OUR_PACKAGES = {"bot", "handlers", "services", "mail", "storage", "knowledge"}
CHANNEL_LIBRARIES = {"aiogram", "email", "imapclient", "aiosmtplib", "aiohttp"}

FRANKFURT = "06412000"
OFFENBACH_CITY = "06413000"
WIESBADEN = "06414000"
HANAU = "06415000"
KASSEL_CITY = "06611000"
LK_OFFENBACH = "06438"
LK_KASSEL = "06633"
LK_GIESSEN = "06531"
GIESSEN_CITY = "06531005"
MAIN_KINZIG_KREIS = "06435"
VOGELSBERGKREIS = "06535"
MARBURG = "06534014"
WOELLSTADT = "06440025"
BAD_HERSFELD = "06632002"
BAD_SODEN_TAUNUS = "06436001"
BAD_SODEN_SALMUENSTER = "06435002"


@pytest.fixture(scope="module")
def directory() -> MunicipalityDirectory:
    """The bundled directory, loaded once per test module."""
    return load_municipalities()


def _ags(matches) -> list[str]:
    return [match.municipality.ags for match in matches]


def _best_ags(directory: MunicipalityDirectory, text: str) -> str | None:
    best = directory.best(text)
    return best.ags if best else None


# -- data ------------------------------------------------------------------------------------------------


def test_directory_holds_421_municipalities_and_21_landkreise(directory):
    kinds = [m.kind for m in directory]
    assert len(directory) == 442
    assert kinds.count("Landkreis") == 21
    assert kinds.count("kreisfreie Stadt") == 6
    assert kinds.count("Stadt") == 185
    assert kinds.count("Gemeinde") == 230


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared/data is not checked out next to the project")
def test_bundled_csv_is_an_unchanged_copy_of_the_shared_data():
    assert module.DEFAULT_PATH.read_bytes() == SHARED_CSV.read_bytes()


def test_fields_are_read_from_the_csv(directory):
    marburg = directory.get(MARBURG)
    assert marburg.name == "Marburg, Universitätsstadt"
    assert marburg.short_name == "Marburg"
    assert marburg.kind == "Stadt"
    assert marburg.kreis == "Marburg-Biedenkopf"
    assert marburg.population > 70_000
    landkreis = directory.get(LK_KASSEL)
    assert (landkreis.name, landkreis.kind, landkreis.kreis) == ("Kassel", "Landkreis", None)
    assert directory.get(FRANKFURT).kreis is None


def test_load_municipalities_is_cached_and_accepts_another_file(tmp_path):
    assert load_municipalities() is load_municipalities()
    path = tmp_path / "kommunen.csv"
    path.write_text(
        "ags,name,type,kreis,population\n06440025,Wöllstadt,Gemeinde,Wetteraukreis,6552\n"
        "06440,Wetteraukreis,Landkreis,,307056\n",
        encoding="utf-8",
    )
    small = load_municipalities(path)
    assert len(small) == 2
    assert small.best("Woellstadt").ags == WOELLSTADT


def test_unknown_type_in_the_csv_is_an_error(tmp_path):
    path = tmp_path / "kommunen.csv"
    path.write_text(
        "ags,name,type,kreis,population\n06440025,Wöllstadt,Dorf,Wetteraukreis,1\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="Dorf"):
        load_municipalities(path)


def test_module_imports_no_channel_library_and_nothing_of_ours_but_text_folding():
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    packages = {name.split(".")[0] for name in imported}
    assert {name for name in imported if name.split(".")[0] in OUR_PACKAGES} <= {"knowledge.text"}
    assert packages.isdisjoint(CHANNEL_LIBRARIES)


# -- get and display names -------------------------------------------------------------------------------


def test_get_finds_municipalities_and_landkreise_by_key(directory):
    assert directory.get(FRANKFURT).short_name == "Frankfurt am Main"
    assert directory.get(LK_OFFENBACH).kind == "Landkreis"
    assert directory.get(" 06412000 ").ags == FRANKFURT


def test_get_restores_the_leading_zero_a_spreadsheet_dropped(directory):
    assert directory.get("6412000").ags == FRANKFURT
    assert directory.get("6438").ags == LK_OFFENBACH


def test_get_leads_former_keys_to_the_successor(directory):
    assert directory.get("06435014").ags == HANAU  # Hanau, kreisfrei since 2026
    assert directory.get("06635005").ags == "06635001"  # Bromskirchen → Allendorf (Eder)


def test_get_returns_none_for_unknown_keys(directory):
    assert directory.get("09162000") is None  # München
    assert directory.get("") is None
    assert directory.get("abc") is None


@pytest.mark.parametrize(
    ("ags", "display_name"),
    [
        (LK_OFFENBACH, "Landkreis Offenbach"),
        (LK_KASSEL, "Landkreis Kassel"),
        (LK_GIESSEN, "Landkreis Gießen"),
        ("06432", "Landkreis Darmstadt-Dieburg"),
        (MAIN_KINZIG_KREIS, "Main-Kinzig-Kreis"),
        (VOGELSBERGKREIS, "Vogelsbergkreis"),
        ("06434", "Hochtaunuskreis"),
        (KASSEL_CITY, "Stadt Kassel"),
        (GIESSEN_CITY, "Stadt Gießen"),
        ("06631009", "Stadt Fulda"),
        ("06433006", "Stadt Groß-Gerau"),
        (OFFENBACH_CITY, "Offenbach am Main"),
        (MARBURG, "Marburg"),
        (WOELLSTADT, "Wöllstadt"),
        ("06431014", "Lautertal (Odenwald)"),
    ],
)
def test_display_name_reads_naturally_and_tells_city_from_landkreis(directory, ags, display_name):
    assert directory.get(ags).display_name == display_name


def test_display_names_are_unique(directory):
    names = [m.display_name for m in directory]
    assert len(names) == len(set(names))


# -- match: round trip -----------------------------------------------------------------------------------


def test_every_official_name_and_short_name_matches_its_own_row_exactly(directory):
    failures = []
    for m in directory:
        for text in (m.name, m.short_name, m.display_name):
            matches = directory.match(text)
            if not any(c.municipality == m and c.exact and c.score >= 95 for c in matches):
                failures.append(text)
    assert failures == []


def test_every_official_name_puts_its_own_row_first_except_bare_landkreis_names(directory):
    # "Kassel" is both the city and the Landkreis's GV name; the city comes first by design
    failures = [m.name for m in directory if directory.match(m.name)[0].municipality != m]
    assert sorted(failures) == ["Fulda", "Gießen", "Groß-Gerau", "Kassel", "Offenbach"]


def test_every_display_name_is_a_confident_best_match(directory):
    failures = [m.display_name for m in directory if directory.best(m.display_name) != m]
    assert failures == []


# -- match: spelling variants ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Gießen", "giessen", "GIESSEN", "Giessen", "  gießen  "])
def test_case_and_umlaut_spelling_do_not_matter(directory, text):
    first = directory.match(text)[0]
    assert first.municipality.ags == GIESSEN_CITY
    assert first.exact


@pytest.mark.parametrize(
    ("text", "ags"),
    [
        ("Stadt Marburg", MARBURG),
        ("Universitätsstadt Marburg", MARBURG),
        ("Gemeinde Wöllstadt", WOELLSTADT),
        ("Gemeindevorstand der Gemeinde Wöllstadt", WOELLSTADT),
        ("Magistrat der Stadt Frankfurt am Main", FRANKFURT),
        ("Kreisstadt Dietzenbach", "06438001"),
        ("Landeshauptstadt Wiesbaden", WIESBADEN),
        ("Landkreis Offenbach", LK_OFFENBACH),
        ("Kreis Offenbach", LK_OFFENBACH),
        ("LK Gießen", LK_GIESSEN),
        ("Kreisausschuss des Main-Kinzig-Kreises", MAIN_KINZIG_KREIS),
        ("Kreisausschuss des Vogelsbergkreises", VOGELSBERGKREIS),
        ("Kreisausschuss des Landkreises Kassel", LK_KASSEL),
        ("Lauterbach (Hessen)", "06535011"),
        ("Lauterbach Hessen", "06535011"),
        ("Münster (Hessen)", "06432015"),
        ("Korbach, Hansestadt, Kreisstadt", "06635015"),
        ("Hanau, Main-Kinzig-Kreis", HANAU),
    ],
)
def test_administrative_prefixes_titles_and_qualifiers_are_understood(directory, text, ags):
    assert _best_ags(directory, text) == ags


@pytest.mark.parametrize(
    ("text", "ags"),
    [
        ("Ffm", FRANKFURT),
        ("FFM", FRANKFURT),
        ("Frankfurt", FRANKFURT),
        ("Frankfurt a. M.", FRANKFURT),
        ("Frankfurt a.M.", FRANKFURT),
        ("Frankfurt/Main", FRANKFURT),
        ("Frankfurt am Main", FRANKFURT),
        ("Offenbach a. M.", OFFENBACH_CITY),
        ("Bad Homburg", "06434001"),
        ("Bad Homburg v. d. Höhe", "06434001"),
        ("Bad Homburg vor der Höhe", "06434001"),
        ("Bad Homburg v.d.H.", "06434001"),
        ("Rosbach vdH", "06440023"),
        ("Limburg an der Lahn", "06533009"),
        ("Limburg a.d. Lahn", "06533009"),
        ("Höchst im Odenwald", "06437009"),
        ("Steinau a. d. Str.", "06435028"),
    ],
)
def test_abbreviations_and_spelled_out_forms_meet(directory, text, ags):
    assert _best_ags(directory, text) == ags


@pytest.mark.parametrize(
    ("text", "ags"),
    [
        ("Bad Hersfeld", BAD_HERSFELD),
        ("bad hersfeld", BAD_HERSFELD),
        ("Bad Soden Salmünster", BAD_SODEN_SALMUENSTER),
        ("Bad-Soden-Salmünster", BAD_SODEN_SALMUENSTER),
        ("BadSoden-Salmünster", BAD_SODEN_SALMUENSTER),
        ("Bad Soden am Taunus", BAD_SODEN_TAUNUS),
        ("Neu Isenburg", "06438009"),
        ("Neuisenburg", "06438009"),
        ("Mörfelden Walldorf", "06433008"),
        ("Moerfelden-Walldorf", "06433008"),
        ("Wildungen", "06635003"),
    ],
)
def test_bad_names_and_hyphen_or_space_variants_match(directory, text, ags):
    assert _best_ags(directory, text) == ags


def test_bad_soden_alone_is_ambiguous_and_lists_both_towns(directory):
    matches = directory.match("bad soden")
    assert set(_ags(matches[:2])) == {BAD_SODEN_TAUNUS, BAD_SODEN_SALMUENSTER}
    assert matches[0].score - matches[1].score < AMBIGUITY_MARGIN
    assert directory.best("bad soden") is None


@pytest.mark.parametrize(
    ("text", "ags"), [("Lautertal", {"06431014", "06535012"}), ("Homberg", {"06535009", "06634009"})]
)
def test_names_shared_by_two_municipalities_are_ambiguous(directory, text, ags):
    assert set(_ags(directory.match(text)[:2])) == ags
    assert directory.best(text) is None


@pytest.mark.parametrize(
    ("text", "ags"),
    [("Marbrug", MARBURG), ("Frankfrut", FRANKFURT), ("Wiesbadn", WIESBADEN), ("Woellstat", WOELLSTADT)],
)
def test_typos_are_corrected(directory, text, ags):
    first = directory.match(text)[0]
    assert first.municipality.ags == ags
    assert not first.exact
    assert directory.best(text).ags == ags


def test_a_weak_typo_is_offered_but_not_chosen(directory):
    assert _ags(directory.match("Hanua")) == [HANAU]
    assert directory.best("Hanua") is None


def test_the_start_of_a_longer_name_matches_without_being_exact(directory):
    first = directory.match("Mörfelden")[0]
    assert first.municipality.ags == "06433008"
    assert not first.exact


def test_former_municipality_leads_to_its_successor(directory):
    assert _best_ags(directory, "Bromskirchen") == "06635001"


# -- match: city versus Landkreis ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city", "landkreis"),
    [
        ("Kassel", KASSEL_CITY, LK_KASSEL),
        ("Gießen", GIESSEN_CITY, LK_GIESSEN),
        ("Fulda", "06631009", "06631"),
        ("Groß-Gerau", "06433006", "06433"),
        ("Offenbach", OFFENBACH_CITY, LK_OFFENBACH),
    ],
)
def test_a_bare_name_lists_the_city_first_and_the_landkreis_second(directory, text, city, landkreis):
    matches = directory.match(text)
    assert _ags(matches[:2]) == [city, landkreis]
    assert all(c.exact for c in matches[:2])
    assert directory.best(text) is None  # the caller asks: "Stadt Kassel" or "Landkreis Kassel"?


@pytest.mark.parametrize(
    "text",
    [
        "Landkreis Kassel",
        "Kreis Kassel",
        "LK Kassel",
        "Kassel, Landkreis",
        "Kassel (Landkreis)",
        "Landkreis  kassel",
    ],
)
def test_landkreis_or_kreis_puts_the_landkreis_first(directory, text):
    matches = directory.match(text)
    assert _ags(matches[:2]) == [LK_KASSEL, KASSEL_CITY]
    assert _best_ags(directory, text) == LK_KASSEL


@pytest.mark.parametrize(
    "text", ["Stadt Kassel", "Kassel Stadt", "documenta-Stadt Kassel", "Kassel, documenta-Stadt"]
)
def test_stadt_puts_the_city_first(directory, text):
    assert _best_ags(directory, text) == KASSEL_CITY


def test_landkreis_with_part_of_a_double_name_finds_that_landkreis(directory):
    assert _best_ags(directory, "Landkreis Marburg") == "06534"
    assert _best_ags(directory, "Kreis Darmstadt") == "06432"
    assert _best_ags(directory, "Marburg") == MARBURG
    assert _best_ags(directory, "Darmstadt") == "06411000"


def test_landkreis_names_without_kreis_suffix_match(directory):
    assert _best_ags(directory, "Main-Kinzig") == MAIN_KINZIG_KREIS
    assert _best_ags(directory, "Vogelsberg") == VOGELSBERGKREIS


# -- match: unknown text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Berlin",
        "München",
        "asdf",
        "Hamburg",
        "Köln",
        "Mainz",
        "Stuttgart",
        "Mannheim",
        "Aschaffenburg",
        "Hallo",
        "Klimaschutz",
        "Stadt",
        "Landkreis",
        "",
        "   ",
        "12345",
        "?!",
    ],
)
def test_unknown_text_matches_nothing_above_the_threshold(directory, text):
    assert directory.match(text) == []
    assert directory.best(text) is None


def test_scores_are_sorted_within_0_and_100_and_limited(directory):
    matches = directory.match("Bad", limit=5)
    assert len(matches) == 5
    scores = [c.score for c in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(MATCH_THRESHOLD <= score <= 100 for score in scores)
    assert directory.match("Kassel", limit=1) == directory.match("Kassel")[:1]
    assert directory.match("Kassel", limit=0) == []


def test_match_takes_well_under_5_ms(directory):
    texts = [
        "Marbrug",
        "Landkreis Kassel",
        "bad soden",
        "Frankfurt a. M.",
        "asdf",
        "Magistrat der Stadt Wetzlar",
    ]
    rounds = 50
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            directory.match(text)
    per_call = (time.perf_counter() - start) / (rounds * len(texts))
    assert per_call < 0.005


# -- find_in_text ----------------------------------------------------------------------------------------

SIGNATURE_WOELLSTADT = """Sehr geehrte Damen und Herren,
wir planen eine kommunale Wärmeplanung und haben eine Frage zur Förderung.

Mit freundlichen Grüßen
J. Schneider
Bauamt
Gemeinde Wöllstadt
Hauptstraße 1
61206 Wöllstadt"""


@pytest.mark.parametrize(
    ("text", "ags"),
    [
        (SIGNATURE_WOELLSTADT, WOELLSTADT),
        (
            "Guten Tag,\nkurze Frage.\nFreundliche Grüße\ni. A. M. Muster\n"
            "Magistrat der Stadt Bad Hersfeld\nFachdienst Umwelt",
            BAD_HERSFELD,
        ),
        (
            "Hallo\nBeste Grüße\nKreisausschuss des Main-Kinzig-Kreises\n"
            "Barbarossastraße 16-24\n63571 Gelnhausen",
            MAIN_KINZIG_KREIS,
        ),
        (
            "Mit freundlichen Grüßen\nKreis Offenbach\nDer Kreisausschuss\n"
            "Werner-Hilpert-Straße 1\n63128 Dietzenbach",
            LK_OFFENBACH,
        ),
        ("MfG\nP. Meier\nKreisverwaltung Groß-Gerau", "06433"),
        ("Viele Grüße\nLandkreis Kassel | Wilhelmshöher Allee 19-21 | 34117 Kassel", LK_KASSEL),
        ("Mit freundlichen Grüßen\nUniversitätsstadt Gießen\nDer Magistrat", GIESSEN_CITY),
        ("Viele Grüße\nVogelsbergkreis\nGoldhelg 20\n36341 Lauterbach (Hessen)", VOGELSBERGKREIS),
        ("Hallo,\nkurze Frage.\nViele Grüße\nAnna Muster\nHauptstraße 1\n35037 Marburg", MARBURG),
        ("Viele Grüße\nAnna Muster\nFrankfurt am Main", FRANKFURT),
        ("Viele Grüße\nGemeinde Sinn\nHerborner Str. 50\n35764 Sinn", "06532020"),
        ("Viele Grüße\nAnna\n36110 Schlitz", "06535015"),
        ("Frage zum Förderprogramm\nStadt Kassel\nUmwelt- und Gartenamt", KASSEL_CITY),
    ],
)
def test_find_in_text_reads_the_signature(directory, text, ags):
    assert directory.find_in_text(text).ags == ags


def test_find_in_text_prefers_the_named_body_over_the_postcode_town(directory):
    # the Kreis Offenbach sits in Dietzenbach: "Kreis Offenbach" wins over "63128 Dietzenbach"
    text = "Mit freundlichen Grüßen\nKreis Offenbach\nWerner-Hilpert-Straße 1\n63128 Dietzenbach"
    assert directory.find_in_text(text).ags == LK_OFFENBACH


def test_find_in_text_uses_the_postcode_line_to_settle_an_ambiguous_name(directory):
    text = "Viele Grüße\nStadt Bad Soden\nKönigsteiner Straße 73\n65812 Bad Soden am Taunus"
    assert directory.find_in_text(text).ags == BAD_SODEN_TAUNUS


def test_find_in_text_accepts_the_writer_naming_their_own_municipality(directory):
    text = (
        "Hallo,\nich bin Klimaschutzmanagerin der Gemeinde Wöllstadt und habe eine Frage.\nViele Grüße\nAnna"
    )
    assert directory.find_in_text(text).ags == WOELLSTADT
    assert directory.find_in_text("Frage zur Förderung.\nViele Grüße aus Wöllstadt\nAnna").ags == WOELLSTADT


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hallo",
        "Hallo,\nich hätte gern lauter Infos zur Charta.\nViele Grüße\nAnna Lauter",
        "Viele Grüße\nPeter Hain",
        "Viele Grüße\nMax\nWetter",
        "Viele Grüße\nMax\nLinden",
        "Hallo,\nwie die Stadt Marburg schon gemacht hat, möchten wir eine Wärmeplanung.\nViele Grüße\nAnna",
        "Hallo,\nwir haben mit der Stadt Kassel gesprochen.\nViele Grüße\nAnna",
        "Hallo\nViele Grüße aus dem Odenwald\nAnna",
        "Viele Grüße\nAnna\nBeispielstraße 1\n10115 Berlin",
        "Viele Grüße\nAnna\n99423 Weimar",
        "Viele Grüße\nStadt Marburg\nStadt Kassel",
        "Viele Grüße\nGemeinde Lautertal",
        "Viele Grüße\nStadt Bad Soden",
    ],
)
def test_find_in_text_returns_none_when_nothing_is_reliable(directory, text):
    assert directory.find_in_text(text) is None


def test_find_in_text_reads_no_signature_into_a_message_of_one_line(directory):
    assert directory.find_in_text("Gibt es Förderung für die Stadt Marburg") is None


def test_find_in_text_needs_a_prefix_for_names_that_are_common_words(directory):
    assert directory.find_in_text("Viele Grüße aus Linden\nAnna") is None
    assert directory.find_in_text("Viele Grüße aus der Stadt Linden\nAnna").ags == "06531012"


def test_find_in_text_ignores_a_quoted_reply_with_our_own_signature(directory):
    text = (
        "Danke, das hilft!\nViele Grüße\nAnna\n\n"
        "Am 3. März 2026 schrieb Hessen aktiv <info@klima-kommunen-hessen.de>:\n"
        "> Mit freundlichen Grüßen\n> Stadt Wiesbaden\n> 65189 Wiesbaden"
    )
    assert directory.find_in_text(text) is None


def test_find_in_text_checks_the_postcode_region(directory):
    assert directory.find_in_text("Viele Grüße\nAnna\n35096 Weimar (Lahn)").ags == "06534020"
    assert directory.find_in_text("Viele Grüße\nAnna\n35096 Weimar").ags == "06534020"


# -- from_email_domain -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "ags"),
    [
        ("x@bad-hersfeld.de", BAD_HERSFELD),
        ("x@stadt-marburg.de", MARBURG),
        ("x@marburg.de", MARBURG),
        ("x@frankfurt.de", FRANKFURT),
        ("x@stadt-frankfurt.de", FRANKFURT),
        ("x@landkreis-kassel.de", LK_KASSEL),
        ("x@landkreiskassel.de", LK_KASSEL),
        ("x@kreis-offenbach.de", LK_OFFENBACH),
        ("x@offenbach.de", OFFENBACH_CITY),
        ("x@kassel.de", KASSEL_CITY),
        ("x@vogelsbergkreis.de", VOGELSBERGKREIS),
        ("x@wiesbaden.de", WIESBADEN),
        ("x@gemeinde-woellstadt.de", WOELLSTADT),
        ("x@woellstadt.de", WOELLSTADT),
        ("x@wollstadt.de", WOELLSTADT),
        ("x@xn--wllstadt-n4a.de", WOELLSTADT),
        ("x@rathaus-biebertal.de", "06531002"),
        ("x@mkk.de", MAIN_KINZIG_KREIS),
        ("x@ladadi.de", "06432"),
        ("x@marburg-biedenkopf.de", "06534"),
        ("x@muenster-hessen.de", "06432015"),
        ("x@kreis-bergstrasse.de", "06431"),
        ("x@stadt-wetter.de", "06534021"),
        ("Anna Muster <a.muster@mail.stadt-kassel.de>", KASSEL_CITY),
        ("stadtmarburg.de", MARBURG),
    ],
)
def test_from_email_domain_recognises_municipal_domains(directory, address, ags):
    assert directory.from_email_domain(address).ags == ags


@pytest.mark.parametrize(
    "address",
    [
        "x@gmail.com",
        "x@web.de",
        "x@gmx.de",
        "x@gmx.net",
        "x@t-online.de",
        "x@outlook.com",
        "x@lea-hessen.de",
        "x@hessen.de",
        "x@rpda.hessen.de",
        "x@example.de",
        "x@stadtwerke-marburg.de",
        "x@wetter.de",
        "x@muenster.de",
        "x@friedberg.de",
        "x@bergstrasse.de",
        "x@lautertal.de",
        "x@odenwald.de",
        "x@firma.de",
        "no-address",
        "",
    ],
)
def test_from_email_domain_returns_none_for_providers_and_unknown_domains(directory, address):
    assert directory.from_email_domain(address) is None


def test_municipality_is_immutable_and_hashable(directory):
    marburg = directory.get(MARBURG)
    assert isinstance(marburg, Municipality)
    assert {marburg, directory.get(MARBURG)} == {marburg}
    with pytest.raises(AttributeError):
        marburg.name = "Marburg"  # type: ignore[misc]
