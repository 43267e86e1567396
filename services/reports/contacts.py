"""The addresses the Fachstelle has on file per municipality (CSV `ags,email`): a binding code may go there."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from services.email_address import is_valid_address

HEADER = ["ags", "email"]
# 8 digits for a municipality, 5 for a Landkreis (as in the municipality directory)
_AGS = re.compile(r"^(?:\d{8}|\d{5})$")


class ContactsFileError(ValueError):
    """The contacts file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class MunicipalityContacts:
    """Addresses on file by AGS, in file order, each once."""

    by_ags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def addresses(self, ags: str) -> tuple[str, ...]:
        """The municipality's addresses on file (none when it has no row)."""
        return self.by_ags.get(ags, ())


def parse_contacts(text: str, path: Path) -> MunicipalityContacts:
    """Validate the CSV text of a contacts file; the first bad row stops it, named by its line."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, [])
    if [cell.strip().lower() for cell in header] != HEADER:
        raise ContactsFileError(f"{path}, Zeile 1: die erste Zeile muss „ags,email“ lauten")
    found: dict[str, list[str]] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}, Zeile {reader.line_num}"
        if len(row) != 2:
            raise ContactsFileError(f"{where}: erwartet werden genau zwei Spalten, ags und email")
        ags, address = row[0].strip(), row[1].strip().lower()
        if not _AGS.match(ags):
            raise ContactsFileError(
                f"{where}: {ags!r} ist kein Amtlicher Gemeindeschlüssel (8 Ziffern, Landkreise 5)"
            )
        if not is_valid_address(address):
            raise ContactsFileError(f"{where}: {row[1].strip()!r} ist keine E-Mail-Adresse")
        addresses = found.setdefault(ags, [])
        if address not in addresses:
            addresses.append(address)
    return MunicipalityContacts({ags: tuple(addresses) for ags, addresses in found.items()})


def load_contacts(path: Path | None) -> MunicipalityContacts:
    """The contacts file at `path` (none configured: nobody on file); read again only when it changes."""
    if path is None:
        return MunicipalityContacts()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ContactsFileError(f"{path}: nicht lesbar ({exc.strerror or exc})") from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: Path, _mtime_ns: int, _size: int) -> MunicipalityContacts:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContactsFileError(f"{path}: nicht lesbar ({exc})") from None
    return parse_contacts(text, path)
