"""Decode e-mail bytes to text, surviving wrong, unknown and missing charset labels."""

from __future__ import annotations

import codecs

# Labels mail clients use that Python does not know, or knows as a narrower charset than the one really
# meant (the WHATWG Encoding Standard makes the same substitutions for the web).
_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "utf8": "utf-8",
    "x-utf-8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
}
# Text labelled ASCII or Latin-1 is in practice Windows-1252 (curly quotes, euro sign in 0x80-0x9F).
_WINDOWS_1252_FAMILY = {"ascii", "iso8859-1", "latin-1", "cp1252"}
_UNKNOWN = {"", "unknown", "unknown-8bit", "x-unknown", "default", "charset", "none", "8bit", "binary"}


def codec_name(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when the label names no known charset."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    if cleaned in _UNKNOWN:
        return None
    cleaned = _ALIASES.get(cleaned, cleaned)
    try:
        return codecs.lookup(cleaned).name
    except (LookupError, ValueError):
        return None


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Decode `data` with its declared charset, falling back to UTF-8, Windows-1252 and Latin-1; never raises."""
    declared = codec_name(charset)
    attempts: list[str] = []
    if declared in _WINDOWS_1252_FAMILY:
        attempts += ["ascii", "utf-8", "cp1252"]
    elif declared:
        attempts.append(declared)
    attempts.append("utf-8")
    for name in dict.fromkeys(attempts):
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    # A declared multi-byte charset (Japanese, Korean, Chinese) with a few bad bytes is still far closer
    # than a single-byte guess; UTF-8 and Latin-family labels get the Windows-1252 guess instead.
    if declared and _is_multibyte(declared):
        return data.decode(declared, errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def repair_surrogates(text: str) -> str:
    """Turn bytes the email package kept as surrogate escapes back into readable characters."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    raw = text.encode("utf-8", errors="surrogateescape") if _only_escapes(text) else None
    if raw is None:
        return text.encode("utf-8", errors="replace").decode("utf-8")
    return decode_text(raw)


def _only_escapes(text: str) -> bool:
    # surrogateescape maps raw bytes 0x80-0xFF to U+DC80-U+DCFF; other lone surrogates are plain garbage.
    return all(not ("\ud800" <= char <= "\udfff") or "\udc80" <= char <= "\udcff" for char in text)


def _is_multibyte(codec: str) -> bool:
    return codec in _MULTIBYTE or codec.startswith(("utf-16", "utf-32"))


_MULTIBYTE = frozenset(
    {
        "cp932", "euc_jp", "euc_jis_2004", "euc_jisx0213", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2",
        "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext", "shift_jis", "shift_jis_2004", "cp949", "euc_kr",
        "johab", "iso2022_kr", "gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950",
    }
)  # fmt: skip
