"""The Fachstelle's contacts file (CSV `ags,email`): several addresses per municipality, clear errors by line."""

from pathlib import Path

import pytest

from services.reports import ContactsFileError, MunicipalityContacts, load_contacts, parse_contacts

GOOD = (
    "\ufeffAGS,Email\r\n"  # a byte order mark and capitals, as Excel saves it
    "06440025,Rathaus@Woellstadt.example\r\n"
    "\r\n"
    "06440025, klima@woellstadt.example \r\n"
    "06440025,rathaus@woellstadt.example\r\n"
    "06534014,klima@marburg.example\r\n"
    "06440,kreis@wetteraukreis.example\r\n"
)


def test_a_contacts_file_lists_every_address_of_a_municipality_once():
    contacts = parse_contacts(GOOD, Path("kontakte.csv"))
    assert contacts.addresses("06440025") == ("rathaus@woellstadt.example", "klima@woellstadt.example")
    assert contacts.addresses("06534014") == ("klima@marburg.example",)
    assert contacts.addresses("06440") == ("kreis@wetteraukreis.example",)  # a Landkreis
    assert contacts.addresses("06611000") == ()


def test_without_a_file_nobody_is_on_file(tmp_path):
    assert load_contacts(None) == MunicipalityContacts()
    path = tmp_path / "kontakte.csv"
    path.write_text("ags,email\n06440025,rathaus@woellstadt.example\n", encoding="utf-8")
    assert load_contacts(path).addresses("06440025") == ("rathaus@woellstadt.example",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ags;email\n", "kontakte.csv, Zeile 1: die erste Zeile muss „ags,email“ lauten"),
        ("name,email\n", "kontakte.csv, Zeile 1: die erste Zeile muss „ags,email“ lauten"),
        ("", "kontakte.csv, Zeile 1: die erste Zeile muss „ags,email“ lauten"),
        (
            "ags,email\n06440025,a@b.example\n6440025,c@d.example\n",
            "kontakte.csv, Zeile 3: '6440025' ist kein Amtlicher Gemeindeschlüssel (8 Ziffern, Landkreise 5)",
        ),
        (
            "ags,email\n\n06440025,rathaus(at)woellstadt.example\n",
            "kontakte.csv, Zeile 3: 'rathaus(at)woellstadt.example' ist keine E-Mail-Adresse",
        ),
        (
            "ags,email\n06440025\n",
            "kontakte.csv, Zeile 2: erwartet werden genau zwei Spalten, ags und email",
        ),
        (
            "ags,email\n06440025,a@b.example,c@d.example\n",
            "kontakte.csv, Zeile 2: erwartet werden genau zwei Spalten, ags und email",
        ),
    ],
    ids=["semicolon", "header", "empty", "ags", "email", "one-column", "three-columns"],
)
def test_a_bad_row_is_named_by_its_line(text, message):
    with pytest.raises(ContactsFileError) as error:
        parse_contacts(text, Path("kontakte.csv"))
    assert str(error.value) == message


def test_an_unreadable_file_is_named(tmp_path):
    missing = tmp_path / "fehlt.csv"
    with pytest.raises(ContactsFileError) as error:
        load_contacts(missing)
    assert str(error.value).startswith(f"{missing}: ")
