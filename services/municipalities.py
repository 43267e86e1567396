"""Recognises Hessian municipalities and Landkreise in typed names, e-mail signatures and e-mail domains."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.text import fold

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "hessen-kommunen.csv"

# Below this score a candidate is no match at all. One typo in a name of five letters or more stays at or
# above it ("Hanua" 80, "Marbrug" 86); places outside Hessen stay below ("Hamburg" vs. Hainburg 75,
# "Mainz" vs. Main-Kinzig-Kreis 76, "München" vs. Münchhausen 67).
MATCH_THRESHOLD = 80.0
# `best()` commits only to a match this good; weaker typo matches are offered as choices instead.
CONFIDENT_SCORE = 85.0
# `best()` calls the top two ambiguous when they are closer than this: "Kassel" (city 100, Landkreis 95),
# "Bad Soden" (am Taunus 97, Salmünster 95).
AMBIGUITY_MARGIN = 6.0

KIND_GEMEINDE = "Gemeinde"
KIND_STADT = "Stadt"
KIND_KREISFREIE_STADT = "kreisfreie Stadt"
KIND_LANDKREIS = "Landkreis"
KINDS = (KIND_GEMEINDE, KIND_STADT, KIND_KREISFREIE_STADT, KIND_LANDKREIS)

# Scores of the kinds of evidence; the order matters more than the values.
_EXACT = 100.0  # the official name or the name before its first comma
_ALIAS = 97.0  # a shortened form: "Frankfurt", "Heppenheim", "Main-Kinzig", "Bromskirchen"
_WORD_PREFIX = 95.0  # the text is the start of a longer name: "Bad Soden" → "Bad Soden-Salmünster"
_WITHOUT_BAD = 90.0  # "Hersfeld" for Bad Hersfeld: below the Gemeinde Nauheim when "Nauheim" is typed
_PREFIX_BELOW_KEY = 2.0  # the start of a name scores a little below the name itself
_FUZZY_CAP = 94.0  # a typo never outranks a correctly spelled name
_PREFIX_FUZZY_PENALTY = 4.0  # a typo in the start of a longer name is weaker than one in a whole name
_FIRST_LETTER_PENALTY = 5.0  # "Villingen" is not Willingen, "Minden" not Linden, "Hürth" not Fürth
_BARE_COUNTY_PENALTY = 5.0  # "Kassel" alone more often means the city than the Landkreis of that name
_KIND_PENALTY = 15.0  # "Landkreis Kassel" is not the city, "Stadt Kassel" not the Landkreis
_MIN_FUZZY_LENGTH = 4  # edit distance on shorter strings matches almost anything
_MIN_PREFIX_LENGTH = 3  # "Bad" still lists the Bad-towns, "Ne" lists nothing
_MAX_NAME_WORDS = 6  # longest name in words after the abbreviations are spelled out, plus slack

_COUNTY = "county"
_MUNICIPALITY = "municipality"

_TOKEN = re.compile(r"[a-z0-9]+")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")

# Spellings of the GV (and of users) that should meet: "a. M." = "am Main", "v. d. H." = "vor der Höhe".
_ABBREVIATIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("v", "d", "h"), ("vor", "der", "hoehe")),
    (("vdh",), ("vor", "der", "hoehe")),
    (("v", "d"), ("vor", "der")),
    (("a", "d"), ("an", "der")),
    (("a", "m"), ("am", "main")),
    (("ffm",), ("frankfurt", "am", "main")),
    (("odw",), ("odenwald",)),
    (("str",), ("strasse",)),
    (("a",), ("am",)),
    (("i",), ("im",)),
    (("m",), ("main",)),
)
# Ignored when names are compared, so "Frankfurt/Main", "Frankfurt a. M." and "Frankfurt am Main" meet.
_FILLERS = frozenset("am im an der vor bei in".split())
# Where the locational part of a name begins: "Bad Homburg | vor der Höhe", "Limburg | an der Lahn".
_LOCATIVES = frozenset("am im an vor bei".split())

# Words before a name that say what kind of body is meant (folded; "Landkreises" is read as "Landkreis").
_COUNTY_WORDS = frozenset(
    "landkreis kreis lk lkr kreisverwaltung kreisausschuss landratsamt landrat landraetin kreishaus".split()
)
_MUNICIPAL_WORDS = frozenset(
    """
    stadt gemeinde kommune magistrat gemeindevorstand stadtverwaltung gemeindeverwaltung rathaus
    buergermeister buergermeisterin oberbuergermeister oberbuergermeisterin kreisstadt kreisfreie
    marktgemeinde marktflecken
    """.split()
)
_LEADING_FILLERS = frozenset(
    "der die das des dem den von vom aus bei beim fuer im in zur zum und unsere unserer unserem meine".split()
)
_TRAILING_WORDS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("kreisfreie", "stadt"), _MUNICIPALITY),
    (("stadt",), _MUNICIPALITY),
    (("gemeinde",), _MUNICIPALITY),
    (("landkreis",), _COUNTY),
    (("kreis",), _COUNTY),
    (("land",), _COUNTY),  # "Kassel-Land"
    (("in", "hessen"), None),
    (("hessen",), None),
    (("deutschland",), None),
)
# Glued prefixes in domains: "landkreiskassel.de", "stadtmarburg.de", "gemeindewoellstadt.de".
_GLUED_PREFIXES: tuple[tuple[str, str], ...] = (
    ("stadtverwaltung", _MUNICIPALITY),
    ("gemeindeverwaltung", _MUNICIPALITY),
    ("kreisverwaltung", _COUNTY),
    ("landkreis", _COUNTY),
    ("gemeinde", _MUNICIPALITY),
    ("magistrat", _MUNICIPALITY),
    ("rathaus", _MUNICIPALITY),
    ("kreis", _COUNTY),
    ("stadt", _MUNICIPALITY),
    ("lk", _COUNTY),
)
_DOMAIN_NOISE = frozenset("online info hessen web portal verwaltung buergerservice".split())

# Names that are also common German words, surnames or better-known places outside Hessen. In a signature
# line of their own or as a bare domain they prove nothing ("wetter.de", "Viele Grüße / Anna / Linden");
# with "Stadt", "Gemeinde", a Hessian postcode or in `match()` they are recognised as usual.
_COMMON_WORD_NAMES = frozenset(
    """
    sinn muecke wetter linden brechen schotten schlitz tann nieste wabern langen selters meissner solms
    runkel rosenthal lich
    """.split()
)
_NAMESAKES_OUTSIDE_HESSEN = frozenset(
    """
    weimar fuerth muenster naumburg borken neustadt friedberg lorch kirchheim bischofsheim hohenstein
    lichtenfels liebenau neuhof breitscheid staufenberg steinbach sulzbach waldbrunn dornburg frankenberg
    ronneburg hainburg altenstadt lauterbach einhausen erbach
    """.split()
)
_LANDSCAPES = frozenset("bergstrasse odenwald vogelsberg wetterau hochtaunus".split())
_NEEDS_CONTEXT = _COMMON_WORD_NAMES | _NAMESAKES_OUTSIDE_HESSEN | _LANDSCAPES
# The first two digits of the postcodes that occur in Hessen (55 = Mainz-Kastel/-Kostheim, part of Wiesbaden).
# A coarse gate only: it rules out "80331 München" or "99423 Weimar", it does not prove a Hessian address.
_HESSIAN_POSTCODE_REGIONS = frozenset("34 35 36 37 55 60 61 63 64 65 68 69".split())
_POSTCODE = re.compile(r"(?:^|[\s,;])(?:D\s?-\s?)?(\d{5})\s+([^\d,;|/]+)", re.IGNORECASE)

# Merged or renamed municipalities (see data/README.md): old AGS → current AGS, old name → current AGS.
_FORMER_AGS = {"06435014": "06415000", "06635005": "06635001"}
_FORMER_NAMES = {"06635001": ("Bromskirchen",)}
# Landkreise whose web and mail domain is an abbreviation rather than their name.
_COUNTY_DOMAINS = {
    "mkk": "06435",  # Main-Kinzig-Kreis
    "ladadi": "06432",  # Darmstadt-Dieburg
    "mtk": "06436",  # Main-Taunus-Kreis
    "kreisgg": "06433",  # Groß-Gerau
    "lkgi": "06531",  # Gießen
    "hef-rof": "06632",  # Hersfeld-Rotenburg
}
# Mail providers: their addresses say nothing about where the sender works.
_GENERIC_MAIL_LABELS = frozenset(
    """
    gmail googlemail gmx web t-online outlook hotmail live msn yahoo ymail icloud me mac aol freenet arcor
    posteo mailbox protonmail proton pm online email mail vodafone kabelmail unitybox ionos 1und1 tutanota
    tuta zoho magenta example
    """.split()
)
# State, association and partner domains (and their subdomains): not a municipality even when the name fits.
_NON_MUNICIPAL_DOMAINS = frozenset(
    """
    hessen.de lea-hessen.de klima-kommunen-hessen.de ekom21.de hlt.de hsgb.de hess-staedtetag.de bund.de
    europa.eu
    """.split()
)

# A first-person cue before "Stadt X" in running text marks the sender's own municipality
# ("ich bin Klimaschutzmanagerin der Gemeinde Wöllstadt"); these words in between mark someone else's.
_FIRST_PERSON = frozenset("ich wir unsere unserer unserem unseren unser meine meiner".split())
_OTHER_PARTY = frozenset(
    """
    wie dass ob mit und oder andere anderen anderer nachbar benachbarte benachbarten nachbarkommune
    nachbargemeinde nachbarstadt auch etwa zum beispiel
    """.split()
)
_GREETING_WORDS = frozenset("gruss gruesse gruessen".split())
_SIGN_OFF = re.compile(
    r"^\s*((mit\s+)?((freundlich|viel|best|herzlich|lieb|sonnig|schoen|kollegial)\w*\s+)?"
    r"(gruss|gruesse|gruessen)\b|(mfg|lg|vg|bg)\b|((best|kind)\s+)?regards\b|--\s*$)"
)
_QUOTE_START = re.compile(
    r"^\s*(-{2,}\s*(urspruengliche nachricht|original message)|(am|on)\s.{4,200}\s(schrieb|wrote)\b.*:\s*$"
    r"|(von|from|gesendet|sent):\s)"
)
_SENTENCE_END = re.compile(r"(?<=[!?])\s+|(?<=[a-z]{3}\.)\s+|\n", re.IGNORECASE)
_FIELD_SEPARATOR = re.compile(r"\s*[|•·]\s*")
_MAX_SIGNATURE_LINES = 8
_MAX_SIGNATURE_WORDS = 8
# Strength of what `find_in_text` found, strongest first.
_SIGNATURE_PHRASE = 3  # "Gemeinde Wöllstadt", "Kreisausschuss des Vogelsbergkreises" in the signature
_SELF_REFERENCE = 2  # "ich bin Klimaschutzmanagerin der Gemeinde Wöllstadt", "Viele Grüße aus Wöllstadt"
_PLACE_LINE = 1  # "61206 Wöllstadt" or a signature line that is just "Wöllstadt"


@dataclass(frozen=True, slots=True, kw_only=True)
class Municipality:
    """A Hessian Gemeinde, Stadt, kreisfreie Stadt or Landkreis as listed in the Gemeindeverzeichnis."""

    ags: str  # 8 digits for municipalities, 5 for Landkreise
    name: str  # official: "Marburg, Universitätsstadt"
    short_name: str  # before the first comma: "Marburg"
    kind: str  # one of KINDS
    kreis: str | None  # GV name of the Landkreis; None for kreisfreie Städte and Landkreise
    population: int
    # Set by the directory: a municipality named exactly like a Landkreis ("Kassel", "Gießen", "Fulda").
    shares_name_with_kreis: bool = field(default=False, repr=False, compare=False)

    @property
    def is_landkreis(self) -> bool:
        """True for the 21 Landkreise."""
        return self.kind == KIND_LANDKREIS

    @property
    def display_name(self) -> str:
        """The name a municipal employee would write: "Landkreis Kassel", "Stadt Kassel", "Marburg"."""
        if self.is_landkreis:
            return self.name if "kreis" in self.name.casefold() else f"Landkreis {self.name}"
        if self.shares_name_with_kreis:
            return f"{'Gemeinde' if self.kind == KIND_GEMEINDE else 'Stadt'} {self.short_name}"
        return self.short_name


@dataclass(frozen=True, slots=True)
class MunicipalityMatch:
    """A candidate for a text: score 0..100, exact when the text is one of its names or short forms."""

    municipality: Municipality
    score: float
    exact: bool


@dataclass(frozen=True, slots=True)
class _Key:
    tokens: tuple[str, ...]
    score: float = _EXACT
    plain: bool = True  # identifies the place without "Stadt"/"Gemeinde" (signature lines, domains)
    fuzzy: bool = True  # typos of it count


@dataclass(frozen=True, slots=True)
class _Query:
    hint: str | None  # _COUNTY, _MUNICIPALITY or None
    variants: tuple[tuple[tuple[str, ...], bool], ...]  # (words, fuzzy allowed)


def _typo_score(text: str, key: str, similarity: float) -> float:
    """Score of a near miss; a different first letter is more often another place than a typo."""
    score = min(similarity * 100, _FUZZY_CAP)
    return score if text[0] == key[0] else score - _FIRST_LETTER_PENALTY


def _keep_best(scores: dict[str, float], ags: str, score: float) -> None:
    scores[ags] = max(score, scores.get(ags, 0.0))


def _genitive(token: str) -> str:
    # "des Main-Kinzig-Kreises", "des Landkreises" → the nominative the names are stored in
    return token[:-2] if token.endswith("kreises") else token


def _tokens(text: str) -> tuple[str, ...]:
    """Folded words of `text` with the usual abbreviations spelled out."""
    raw = [_genitive(token) for token in _TOKEN.findall(fold(text))]
    out: list[str] = []
    i = 0
    while i < len(raw):
        for short, long in _ABBREVIATIONS:
            if tuple(raw[i : i + len(short)]) == short:
                out.extend(long)
                i += len(short)
                break
        else:
            out.append(raw[i])
            i += 1
    return tuple(out)


def _core(tokens: Iterable[str]) -> tuple[str, ...]:
    return tuple(token for token in tokens if token not in _FILLERS)


def _compact(tokens: Iterable[str]) -> str:
    return "".join(_core(tokens))


def _without_umlauts(text: str) -> str:
    # Some domains drop the umlaut instead of spelling it out: "wollstadt.de" beside "woellstadt.de".
    return text.translate(str.maketrans("äöüÄÖÜ", "aouAOU"))


class MunicipalityDirectory:
    """All Hessian municipalities and Landkreise with precomputed keys for fast recognition."""

    def __init__(self, municipalities: Iterable[Municipality]) -> None:
        """Index `municipalities`; names shared by a municipality and a Landkreis are marked for display."""
        items = list(municipalities)
        county_names = {fold(m.name) for m in items if m.is_landkreis}
        self._all = tuple(
            replace(m, shares_name_with_kreis=True)
            if not m.is_landkreis and fold(m.short_name) in county_names
            else m
            for m in items
        )
        self._by_ags = {m.ags: m for m in self._all}
        self._exact: dict[str, dict[str, float]] = {}  # compact key → {ags: score}
        self._domain: dict[str, dict[str, float]] = {}  # the same plus umlaut-less spellings ("wollstadt")
        self._plain: set[tuple[str, str]] = set()  # (key, ags) naming a place without "Stadt"/"Kreis"
        self._prefix: dict[str, dict[str, float]] = {}  # start of a longer key (whole words) → {ags: score}
        fuzzy_keys: dict[str, set[str]] = {}
        prefix_by_length: dict[int, dict[str, set[str]]] = {}
        titles: set[tuple[str, ...]] = set()
        for m in self._all:
            titles.update(_tokens(part) for part in m.name.split(",")[1:])
            for key in self._keys_of(m):
                core = _core(key.tokens)
                compact = "".join(core)
                if not compact:
                    continue
                _keep_best(self._exact.setdefault(compact, {}), m.ags, key.score)
                _keep_best(self._domain.setdefault(compact, {}), m.ags, key.score)
                if key.plain:
                    self._plain.add((compact, m.ags))
                if key.fuzzy:
                    fuzzy_keys.setdefault(compact, set()).add(m.ags)
                for n in range(1, len(core)):
                    start = "".join(core[:n])
                    score = min(_WORD_PREFIX, key.score - _PREFIX_BELOW_KEY)
                    _keep_best(self._prefix.setdefault(start, {}), m.ags, score)
                    if key.fuzzy:
                        prefix_by_length.setdefault(n, {}).setdefault(start, set()).add(m.ags)
            for key in self._keys_of(m, fold_umlauts=False):
                compact = _compact(key.tokens)
                if compact:
                    _keep_best(self._domain.setdefault(compact, {}), m.ags, key.score)
                    if key.plain:
                        self._plain.add((compact, m.ags))
        self._fuzzy_keys = list(fuzzy_keys)
        self._fuzzy_owners = [frozenset(owners) for owners in fuzzy_keys.values()]
        self._prefix_fuzzy = {
            n: (list(starts), [frozenset(owners) for owners in starts.values()])
            for n, starts in prefix_by_length.items()
        }
        vocabulary = [(title, _MUNICIPALITY) for title in titles if title]
        vocabulary += [((word,), _COUNTY) for word in _COUNTY_WORDS]
        vocabulary += [((word,), _MUNICIPALITY) for word in _MUNICIPAL_WORDS]
        vocabulary += [((word,), None) for word in _LEADING_FILLERS]
        self._leading = sorted(vocabulary, key=lambda item: -len(item[0]))
        self._trailing = sorted(
            [(title, _MUNICIPALITY) for title in titles if title] + list(_TRAILING_WORDS),
            key=lambda item: -len(item[0]),
        )
        self._phrase_starts = {phrase[0] for phrase, hint in self._leading if hint is not None}

    @staticmethod
    def _keys_of(m: Municipality, *, fold_umlauts: bool = True) -> Iterator[_Key]:
        """The word sequences that name `m`."""

        def words(text: str) -> tuple[str, ...]:
            return _tokens(text if fold_umlauts else _without_umlauts(text))

        yield _Key(words(m.name), _EXACT)
        yield _Key(words(m.short_name), _EXACT)
        bare = _PARENTHESIS.sub("", m.short_name).strip()
        tokens = words(bare)
        shortened = []
        if bare != m.short_name:
            # "Friedberg (Hessen)": the qualifier exists because the bare name belongs to a place elsewhere
            qualifier = fold(m.short_name[len(bare) :]).strip(" ()")
            shortened.append(_Key(tokens, _ALIAS, plain=qualifier != "hessen"))
        for i, token in enumerate(tokens[1:], start=1):
            if token in _LOCATIVES:
                shortened.append(_Key(tokens[:i], _ALIAS))  # "Frankfurt", "Bad Homburg", "Limburg"
                break
        if m.is_landkreis:
            last = tokens[-1]
            if last == "kreis":
                # "Main-Kinzig" for the Main-Kinzig-Kreis; a made-up compound, so it identifies the Kreis
                shortened.append(_Key(tokens[:-1], _ALIAS, plain=len(tokens) > 2))
            elif last.endswith("kreis"):
                # "Vogelsberg" for the Vogelsbergkreis: also a landscape, so only in `match()`
                shortened.append(_Key((*tokens[:-1], last[: -len("kreis")]), _ALIAS, plain=False))
        yield from shortened
        if tokens[0] == "bad" and len(tokens) > 1:
            # "Hersfeld", "Wildungen": exact only, a typo of "Hamburg" must not become Bad Homburg
            for key in (_Key(words(m.short_name)), *shortened, _Key(tokens)):
                if key.tokens[0] == "bad" and len(key.tokens) > 1:
                    yield _Key(key.tokens[1:], _WITHOUT_BAD, plain=False, fuzzy=False)
        for former in _FORMER_NAMES.get(m.ags, ()):
            yield _Key(words(former), _ALIAS)

    def __len__(self) -> int:
        """Number of municipalities and Landkreise."""
        return len(self._all)

    def __iter__(self) -> Iterator[Municipality]:
        """All entries in the order of the data file."""
        return iter(self._all)

    def get(self, ags: str) -> Municipality | None:
        """The entry with this AGS (8 digits) or Kreisschlüssel (5 digits); former keys give the successor."""
        key = ags.strip().replace(" ", "")
        if key.isdigit() and len(key) in (4, 7):
            key = key.zfill(len(key) + 1)  # spreadsheets drop the leading zero of "06…"
        key = _FORMER_AGS.get(key, key)
        return self._by_ags.get(key)

    def match(self, text: str, limit: int = 3) -> list[MunicipalityMatch]:
        """Candidates for a typed name, best first, all scoring at least MATCH_THRESHOLD."""
        if not text or not text.strip() or limit <= 0:
            return []
        query = self._parse(text)
        ranked = self._rank(query.hint, self._collect(query.variants, fuzzy=True))
        return [candidate for candidate in ranked if candidate.score >= MATCH_THRESHOLD][:limit]

    def best(self, text: str) -> Municipality | None:
        """The one confident match for a typed name; None if nothing fits well or the top two are close."""
        return _confident(self.match(text, limit=2))

    def find_in_text(self, text: str) -> Municipality | None:
        """The sender's municipality as stated in a message, mostly its signature; None if not reliable."""
        lines = _own_lines(text)
        if not lines:
            return None
        body, signature = _split_signature(lines)
        evidence: dict[int, list[list[MunicipalityMatch]]] = {
            _SIGNATURE_PHRASE: [],
            _SELF_REFERENCE: self._self_references(body),
            _PLACE_LINE: [],
        }
        for line in signature:
            for part in _FIELD_SEPARATOR.split(line):
                evidence[_SIGNATURE_PHRASE].extend(self._explicit(_tokens(part)))
                evidence[_PLACE_LINE].extend(self._plain_place(part))
        return _decide(evidence)

    def from_email_domain(self, address: str) -> Municipality | None:
        """The municipality behind an address or domain like "x@stadt-marburg.de"; None for mail providers."""
        domain = address.strip().rsplit("@", 1)[-1].strip(" <>.").lower()
        try:
            domain = domain.encode("ascii").decode("idna")  # "xn--wllstadt-n4a.de" → "wöllstadt.de"
        except UnicodeError:
            pass
        labels = [label for label in domain.split(".") if label]
        if len(labels) < 2 or labels[-2] in _GENERIC_MAIL_LABELS:
            return None
        if any(".".join(labels[i:]) in _NON_MUNICIPAL_DOMAINS for i in range(len(labels) - 1)):
            return None
        label = labels[-2]
        if label in _COUNTY_DOMAINS:
            return self.get(_COUNTY_DOMAINS[label])
        tokens, hint = self._strip_leading(_tokens(label))
        owners = self._owners(self._domain, _compact(tokens), explicit=hint is not None)
        if not owners and len(tokens) == 1:
            for prefix, prefix_hint in _GLUED_PREFIXES:
                if tokens[0].startswith(prefix):
                    owners = self._owners(self._domain, tokens[0][len(prefix) :], explicit=True)
                    if owners:
                        hint = hint or prefix_hint
                        break
        if not owners:
            trimmed = tokens
            while len(trimmed) > 1 and trimmed[-1] in _DOMAIN_NOISE:
                trimmed = trimmed[:-1]
            owners = self._owners(self._domain, _compact(trimmed), explicit=hint is not None)
        if not owners:
            return None
        if hint is None:
            # a bare name is the town's domain ("kassel.de", "fulda.de"); Kreise write "kreis"/"landkreis"
            hint = _COUNTY if tokens[-1].endswith("kreis") else _MUNICIPALITY
        ranked = self._rank(hint, {ags: (score, True) for ags, score in owners.items()})
        return _confident(ranked, minimum=0.0)

    def _owners(self, index: dict[str, dict[str, float]], key: str, *, explicit: bool) -> dict[str, float]:
        """Who `key` names; without "Stadt", "Kreis" etc. in front only names that identify a place alone."""
        found = index.get(key, {})
        if explicit:
            return dict(found)
        if key in _NEEDS_CONTEXT:
            return {}
        return {ags: score for ags, score in found.items() if (key, ags) in self._plain}

    # -- parsing and scoring -------------------------------------------------------------------------------

    def _strip_leading(self, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
        """Drop "Magistrat der Stadt", "Kreisausschuss des" etc.; return the rest and the kind hinted."""
        hint = None
        stripped = True
        while stripped:
            stripped = False
            for phrase, phrase_hint in self._leading:
                if len(tokens) > len(phrase) and tokens[: len(phrase)] == phrase:
                    tokens, hint, stripped = tokens[len(phrase) :], hint or phrase_hint, True
                    break
        return tokens, hint

    def _strip_trailing(self, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
        """Drop "(Landkreis)", ", Stadt", "Hessen" and official titles at the end; return rest and hint."""
        hint = None
        stripped = True
        while stripped:
            stripped = False
            for phrase, phrase_hint in self._trailing:
                if len(tokens) > len(phrase) and tokens[-len(phrase) :] == phrase:
                    tokens, hint, stripped = tokens[: -len(phrase)], hint or phrase_hint, True
                    break
        return tokens, hint

    def _kind_named(self, tokens: tuple[str, ...]) -> str | None:
        """The kind hinted by words that are nothing but a kind or a title ("Landkreis", "Kreisstadt")."""
        for phrase, hint in (*self._leading, *self._trailing):
            if hint is not None and tokens == phrase:
                return hint
        return None

    def _parse(self, text: str) -> _Query:
        """Words to look up and the kind the text asks for ("Landkreis Kassel" → county)."""
        first, *later = text.split(",")
        tokens, hint = self._strip_leading(_tokens(first))
        stripped, trailing_hint = self._strip_trailing(tokens)
        hint = hint or trailing_hint
        variants = [(tokens, True), (stripped, True)]
        if later:
            # the whole text for official names with titles ("Korbach, Hansestadt, Kreisstadt"); later parts
            # only give a hint when they name a kind ("Kassel, Landkreis"), not for "Hanau, Main-Kinzig-Kreis"
            variants.append((self._strip_leading(_tokens(text))[0], False))
            for part in later:
                hint = hint or self._kind_named(_tokens(part))
        if hint is None and tokens and tokens[-1].endswith("kreis") and tokens[-1] != "kreis":
            hint = _COUNTY  # "Vogelsbergkreis"
        unique = tuple(dict.fromkeys(variant for variant in variants if variant[0]))
        return _Query(hint=hint, variants=unique)

    def _collect(
        self, variants: Iterable[tuple[tuple[str, ...], bool]], *, fuzzy: bool
    ) -> dict[str, tuple[float, bool]]:
        """Best raw score per AGS over all variants, before the kind hint is applied."""
        found: dict[str, tuple[float, bool]] = {}

        def add(ags: str, score: float, exact: bool) -> None:
            if ags not in found or (score, exact) > found[ags]:
                found[ags] = (score, exact)

        for tokens, fuzzy_allowed in variants:
            core = _core(tokens)
            compact = "".join(core)
            if not compact:
                continue
            for ags, score in self._exact.get(compact, {}).items():
                add(ags, score, True)
            if len(compact) >= _MIN_PREFIX_LENGTH:
                for ags, score in self._prefix.get(compact, {}).items():
                    add(ags, score, False)
            if not (fuzzy and fuzzy_allowed) or len(compact) < _MIN_FUZZY_LENGTH:
                continue
            cutoff = MATCH_THRESHOLD / 100 - 1e-6  # rapidfuzz drops a similarity of exactly the cutoff
            for key, similarity, index in process.extract(
                compact, self._fuzzy_keys, scorer=OSA.normalized_similarity, score_cutoff=cutoff, limit=None
            ):
                for ags in self._fuzzy_owners[index]:
                    add(ags, _typo_score(compact, key, similarity), False)
            starts = self._prefix_fuzzy.get(len(core))
            if starts:
                keys, owners = starts
                for key, similarity, index in process.extract(
                    compact, keys, scorer=OSA.normalized_similarity, score_cutoff=cutoff, limit=None
                ):
                    for ags in owners[index]:
                        add(ags, _typo_score(compact, key, similarity) - _PREFIX_FUZZY_PENALTY, False)
        return found

    def _rank(self, hint: str | None, found: dict[str, tuple[float, bool]]) -> list[MunicipalityMatch]:
        """Apply the kind hint and sort: score, then towns before Landkreise, then population."""
        ranked = []
        for ags, (score, exact) in found.items():
            m = self._by_ags[ags]
            if hint is not None and (hint == _COUNTY) != m.is_landkreis:
                score -= _KIND_PENALTY
            elif hint is None and m.is_landkreis and "kreis" not in m.name.casefold():
                score -= _BARE_COUNTY_PENALTY
            ranked.append(MunicipalityMatch(municipality=m, score=round(max(score, 0.0), 1), exact=exact))
        ranked.sort(key=lambda c: (-c.score, c.municipality.is_landkreis, -c.municipality.population))
        return ranked

    def _resolve(
        self, hint: str | None, tokens: tuple[str, ...], *, plain: bool = False
    ) -> list[MunicipalityMatch]:
        """Candidates for the longest run of words at the start of `tokens` that names a place exactly."""
        for n in range(min(len(tokens), _MAX_NAME_WORDS), 0, -1):
            head = tokens[:n]
            if plain:
                owners = self._owners(self._exact, _compact(head), explicit=False)
                found = {ags: (score, True) for ags, score in owners.items()}
            else:
                found = self._collect([(head, False)], fuzzy=False)
            if found:
                return self._rank(hint, found)
        return []

    def _explicit(self, tokens: tuple[str, ...]) -> list[list[MunicipalityMatch]]:
        """Candidates for each "Stadt X", "Gemeinde X", "Landkreis X", "X-Kreis" phrase in a line."""
        results = []
        for i, token in enumerate(tokens):
            if token in self._phrase_starts:
                rest, hint = self._strip_leading(tokens[i:])
                if hint is not None and len(rest) < len(tokens) - i:
                    ranked = self._resolve(hint, rest)
                    if ranked:
                        results.append(ranked)
            if token.endswith("kreis"):
                # "Main-Kinzig-Kreis", "Kreisausschuss des Vogelsbergkreises": the name ends in "Kreis"
                for start in range(max(0, i - 3), i + 1):
                    owners = [
                        ags
                        for ags in self._exact.get(_compact(tokens[start : i + 1]), {})
                        if self._by_ags[ags].is_landkreis
                    ]
                    if owners:
                        results.append(self._rank(_COUNTY, {ags: (_EXACT, True) for ags in owners}))
                        break
        return results

    def _plain_place(self, line: str) -> list[list[MunicipalityMatch]]:
        """Candidates from a postcode line ("61206 Wöllstadt") or a line that is just a place name."""
        results = []
        for postcode, place in _POSTCODE.findall(line):
            if postcode[:2] in _HESSIAN_POSTCODE_REGIONS:
                ranked = self._resolve(_MUNICIPALITY, _tokens(place))
                if ranked:
                    results.append(ranked)
        if not results:
            owners = self._owners(self._exact, _compact(_tokens(line)), explicit=False)
            if owners:
                results.append(
                    self._rank(_MUNICIPALITY, {ags: (score, True) for ags, score in owners.items()})
                )
        return results

    def _self_references(self, lines: list[str]) -> list[list[MunicipalityMatch]]:
        """Candidates the writer claims as their own in running text: "wir als Gemeinde X", "Grüße aus X"."""
        results = []
        for sentence in _SENTENCE_END.split("\n".join(lines)):
            tokens = _tokens(sentence)
            for i, token in enumerate(tokens):
                if token in _GREETING_WORDS and i + 1 < len(tokens) and tokens[i + 1] == "aus":
                    rest, hint = self._strip_leading(tokens[i + 1 :])
                    ranked = self._resolve(hint, rest, plain=hint is None)
                    if ranked:
                        results.append(ranked)
                elif token in self._phrase_starts and _claimed(tokens[max(0, i - 8) : i]):
                    rest, hint = self._strip_leading(tokens[i:])
                    if hint is not None and len(rest) < len(tokens) - i:
                        ranked = self._resolve(hint, rest)
                        if ranked:
                            results.append(ranked)
        return results


def _claimed(before: tuple[str, ...]) -> bool:
    """True when a first-person word precedes and nothing in between points to another party."""
    cues = [i for i, token in enumerate(before) if token in _FIRST_PERSON]
    return bool(cues) and not any(token in _OTHER_PARTY for token in before[cues[-1] + 1 :])


def _confident(ranked: list[MunicipalityMatch], *, minimum: float = CONFIDENT_SCORE) -> Municipality | None:
    """The top candidate if it is good enough and clearly ahead of the next one."""
    if not ranked or ranked[0].score < minimum:
        return None
    if len(ranked) > 1 and ranked[0].score - ranked[1].score < AMBIGUITY_MARGIN:
        return None
    return ranked[0].municipality


def _leaders(ranked: list[MunicipalityMatch]) -> set[Municipality]:
    """The candidates within the ambiguity margin of the top one."""
    return {c.municipality for c in ranked if ranked[0].score - c.score < AMBIGUITY_MARGIN}


def _decide(evidence: dict[int, list[list[MunicipalityMatch]]]) -> Municipality | None:
    """Strongest evidence wins; weaker evidence may only choose among the candidates it left open."""
    for level in sorted(evidence, reverse=True):
        if not evidence[level]:
            continue
        resolved = {m for ranked in evidence[level] if (m := _confident(ranked, minimum=0.0))}
        pool = resolved or set().union(*(_leaders(ranked) for ranked in evidence[level]))
        if len(pool) == 1:
            return next(iter(pool))
        weaker = [ranked for lower in evidence if lower < level for ranked in evidence[lower]]
        narrowed = pool & set().union(*(_leaders(ranked) for ranked in weaker))
        # conflicting statements of the same strength: a guess would be a wrong ticket, so give up
        return next(iter(narrowed)) if len(narrowed) == 1 else None
    return None


def _own_lines(text: str) -> list[str]:
    """Non-empty lines the writer wrote: quoted replies and forwarded messages are cut off."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            continue
        if _QUOTE_START.match(fold(line)):
            break  # our own signature below "Am … schrieb Hessen aktiv:" would name Wiesbaden
        if line.strip():
            lines.append(line.strip())
    return lines


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Body and signature: after the last sign-off, else the trailing run of short lines."""
    for i in range(len(lines) - 1, -1, -1):
        if _SIGN_OFF.match(fold(lines[i])):
            return lines[: i + 1], lines[i + 1 :]
    start = len(lines)
    while (
        start > 1  # a message of one line is no signature
        and len(lines) - start < _MAX_SIGNATURE_LINES
        and len(_TOKEN.findall(fold(lines[start - 1]))) <= _MAX_SIGNATURE_WORDS
        and not lines[start - 1].rstrip().endswith(("?", "!", ":"))
    ):
        start -= 1
    return lines[:start], lines[start:]


def _read(path: Path) -> list[Municipality]:
    """Rows of the CSV (columns ags,name,type,kreis,population) as Municipality objects."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    municipalities = []
    for row in rows:
        if row["type"] not in KINDS:
            raise ValueError(f"{path}: unknown type {row['type']!r} for AGS {row['ags']}")
        municipalities.append(
            Municipality(
                ags=row["ags"].strip(),
                name=row["name"].strip(),
                short_name=row["name"].split(",")[0].strip(),
                kind=row["type"],
                kreis=row["kreis"].strip() or None,
                population=int(row["population"] or 0),
            )
        )
    return municipalities


@lru_cache(maxsize=4)
def _load(path: Path) -> MunicipalityDirectory:
    return MunicipalityDirectory(_read(path))


def load_municipalities(path: str | Path | None = None) -> MunicipalityDirectory:
    """The directory of Hessian municipalities from `path` (default: the bundled CSV), loaded once."""
    return _load(Path(path).resolve() if path is not None else DEFAULT_PATH)
