"""Regular Hessian sound shifts, undone: "eischentlich" -> "eigentlich", "irschendwo" -> "irgendwo",
"Antrach" -> "Antrag", "aaruffe" -> "anruffe", "hawwe" -> "habe".

`translations.yaml` maps the frequent dialect words one by one; these rules catch the many words it
cannot list. A rule may also fire on a standard word ("hessisch" -> "hessich"): that is why a respelling
only adds a stem feature next to the word's own features and never replaces the word — a respelling
no entry uses is simply unknown to the model.
"""

from __future__ import annotations

import re
from functools import lru_cache

# (pattern, replacement), applied in this order to a folded word
_SHIFTS = (
    (re.compile(r"eisch"), "eig"),  # eischentlich, Eischebetrieb
    (re.compile(r"rsch(?=[aeiou])"), "rg"),  # irschendwo, irschendwann
    (re.compile(r"isch(?=[aeiou]|t|$)"), "ich"),  # sisch, misch, Klimarischtlinie, ordentlisch
    (re.compile(r"^aa(?=[bcdfghjklmnpqrstvwz])"), "an"),  # aaruffe, aagucke, aamelde
    (re.compile(r"^uff(?=[a-z]{3})"), "auf"),  # uffmache, uffgerisse
    (re.compile(r"ww"), "b"),  # hawwe, owwe, unnerschriwwe
    (re.compile(r"(?<=[aeiou])nn(?=e)"), "nd"),  # annere, finne
    (re.compile(r"(?<=a)ch$"), "g"),  # Antrach, frach, Solaranlach
)
# "-isch" of an adjective is often "-ig": faellisch -> faellig, zustaendisch -> zustaendig
_ADJECTIVE_END = re.compile(r"isch(e|er|es|en|em)?$")
MIN_LENGTH = 4


@lru_cache(maxsize=50_000)
def respellings(word: str) -> tuple[str, ...]:
    """Standard German spellings a Hessian word may stand for (none when no rule applies)."""
    if len(word) < MIN_LENGTH or not word.isalpha():
        return ()
    shifted = word
    for pattern, replacement in _SHIFTS:
        shifted = pattern.sub(replacement, shifted)
    found = [] if shifted == word else [shifted]
    adjective = _ADJECTIVE_END.sub(lambda m: "ig" + (m.group(1) or ""), word)
    if adjective != word and adjective not in found:
        found.append(adjective)
    return tuple(found)
