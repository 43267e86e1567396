"""The hostile mails of issue #9, built in memory: for the tests and bench/bench_hostile_mail.py."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

HEAD = "From: Kämmerei Marburg <kaemmerei@marburg.de>\r\nTo: fachstelle@example.org\r\n"
QUESTION = "Welche Baumarten eignen sich für Friedhöfe?"


def many_references(count: int = 100_000) -> bytes:
    """A reply whose References header names `count` Message-IDs."""
    references = " ".join(f"<ref{n}.{n * 7919}@spam.example>" for n in range(count))
    return (
        f"{HEAD}Subject: Re: Frage\r\nMessage-ID: {make_msgid(domain='marburg.de')}\r\n"
        f"References: {references}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{QUESTION}\r\n"
    ).encode()


def long_line(megabytes: int = 20) -> bytes:
    """A plain-text mail whose body is one line of `megabytes` MB."""
    line = (f"{QUESTION} " * (megabytes * 24_000))[: megabytes * 1024 * 1024]
    head = (
        f"{HEAD}Subject: Frage\r\nMessage-ID: {make_msgid(domain='marburg.de')}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode() + line.encode() + b"\r\n"


def many_parts(count: int = 10_000) -> bytes:
    """A multipart/mixed mail with `count` small text parts."""
    boundary = "b0undary"
    parts = "".join(f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nTeil {n}\r\n" for n in range(count))
    head = (
        f"{HEAD}Subject: Frage\r\nMessage-ID: {make_msgid(domain='marburg.de')}\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n{QUESTION}\r\n'
    )
    return (head + parts + f"--{boundary}--\r\n").encode()


def big_attachment(megabytes: int = 30) -> bytes:
    """A question with one base64 attachment of `megabytes` MB."""
    message = EmailMessage()
    message["From"] = "Kämmerei Marburg <kaemmerei@marburg.de>"
    message["To"] = "fachstelle@example.org"
    message["Subject"] = "Unterlagen"
    message["Message-ID"] = make_msgid(domain="marburg.de")
    message.set_content(f"{QUESTION} Anbei die Unterlagen.")
    data = bytes(range(256)) * (megabytes * 1024 * 1024 // 256)
    message.add_attachment(data, maintype="application", subtype="pdf", filename="plan.pdf")
    return message.as_bytes()


HOSTILE = {
    "references": many_references,
    "long_line": long_line,
    "mime_parts": many_parts,
    "attachment": big_attachment,
}
