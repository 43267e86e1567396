"""Raw HTTP: document and photo uploads, file_id reuse, getFile and downloads."""

from __future__ import annotations

import struct
import zlib

import pytest

from .conftest import USER, RawCaller


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    """Return a valid PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw_rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw_rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def chat(api):
    api.user_sends(USER, "/start")
    return USER


async def test_send_document_upload_and_download(raw: RawCaller, api, chat):
    status, body = await raw.multipart(
        "sendDocument",
        {"chat_id": str(chat), "caption": "<b>Bericht</b>", "parse_mode": "HTML"},
        {"document": ("bericht.pdf", b"%PDF-1.4 data")},
    )
    assert status == 200, body
    doc = body["result"]["document"]
    assert (doc["file_name"], doc["file_size"], doc["mime_type"]) == ("bericht.pdf", 13, "application/pdf")
    assert body["result"]["caption"] == "Bericht"
    [message] = api.bot_messages(chat)
    assert message.document == ("bericht.pdf", b"%PDF-1.4 data")
    assert message.text == "Bericht"

    _, file_body = await raw.json("getFile", file_id=doc["file_id"])
    path = file_body["result"]["file_path"]
    async with raw.session.get(f"{raw.base_url}/file/bot{raw.token}/{path}") as resp:
        assert resp.status == 200
        assert await resp.read() == b"%PDF-1.4 data"

    # Re-sending by file_id reuses the stored file.
    status, again = await raw.json("sendDocument", chat_id=chat, document=doc["file_id"])
    assert status == 200 and again["result"]["document"]["file_id"] == doc["file_id"]


async def test_attach_references_like_aiogram(raw: RawCaller, api, chat):
    status, body = await raw.multipart(
        "sendDocument", {"chat_id": str(chat), "document": "attach://f1"}, {"f1": ("a.txt", b"hallo")}
    )
    assert status == 200 and body["result"]["document"]["file_name"] == "a.txt"
    status, body = await raw.multipart(
        "sendDocument", {"chat_id": str(chat), "document": "attach://missing"}, {}
    )
    assert status == 400


async def test_document_rejections(raw: RawCaller, chat):
    status, body = await raw.json("sendDocument", chat_id=chat, document="no-such-file-id")
    assert (status, body["description"]) == (400, "Bad Request: wrong file identifier/HTTP URL specified")
    status, body = await raw.multipart(
        "sendDocument", {"chat_id": str(chat)}, {"document": ("leer.txt", b"")}
    )
    assert body["description"] == "Bad Request: file must be non-empty"
    status, body = await raw.multipart(
        "sendDocument", {"chat_id": str(chat), "caption": "x" * 1025}, {"document": ("a.txt", b"a")}
    )
    assert body["description"] == "Bad Request: message caption is too long"
    status, body = await raw.json("sendDocument", chat_id=chat)
    assert body["description"] == "Bad Request: document is required"


async def test_send_photo(raw: RawCaller, api, chat):
    status, body = await raw.multipart(
        "sendPhoto", {"chat_id": str(chat)}, {"photo": ("bild.png", tiny_png(3, 2))}
    )
    assert status == 200, body
    [size] = body["result"]["photo"]
    assert (size["width"], size["height"]) == (3, 2)
    assert api.bot_messages(chat)[0].photo == tiny_png(3, 2)
    status, body = await raw.multipart(
        "sendPhoto", {"chat_id": str(chat)}, {"photo": ("x.png", b"not an image")}
    )
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    _, doc = await raw.multipart("sendDocument", {"chat_id": str(chat)}, {"document": ("a.txt", b"a")})
    status, body = await raw.json("sendPhoto", chat_id=chat, photo=doc["result"]["document"]["file_id"])
    assert status == 400


async def test_user_document_can_be_fetched_by_the_bot(raw: RawCaller, api):
    api.user_sends_document(USER, "antrag.docx", b"PK\x03\x04", caption="Mein Antrag")
    _, updates = await raw.json("getUpdates")
    message = updates["result"][0]["message"]
    assert message["caption"] == "Mein Antrag"
    _, file_body = await raw.json("getFile", file_id=message["document"]["file_id"])
    async with raw.session.get(
        f"{raw.base_url}/file/bot{raw.token}/{file_body['result']['file_path']}"
    ) as resp:
        assert await resp.read() == b"PK\x03\x04"
    status, body = await raw.json("getFile", file_id="unknown")
    assert status == 400
    async with raw.session.get(f"{raw.base_url}/file/bot{raw.token}/documents/nothing.pdf") as resp:
        assert resp.status == 404
