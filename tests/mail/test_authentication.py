"""Authentication-Results (RFC 8601): parsing, which headers are trusted, and the verdict on a sender."""

from __future__ import annotations

import time

from mail.authentication import authentication_failure, parse_authentication_results, trusted_results
from mail.parsing import parse_email

DOMAIN = "example.org"


def test_a_header_is_parsed_into_authserv_id_methods_results_and_properties():
    header = parse_authentication_results(
        "mx.fachstelle.de 1; (all checked) dkim=pass (good signature) header.d=example.org "
        'header.s=sel1; spf = softfail smtp.mailfrom=anna@example.org; dmarc=fail reason="p=reject" '
        "header.from=Example.ORG"
    )
    assert header is not None and header.authserv_id == "mx.fachstelle.de"
    assert [(r.method, r.result) for r in header.results] == [
        ("dkim", "pass"),
        ("spf", "softfail"),
        ("dmarc", "fail"),
    ]
    assert header.results[0].properties == {"header.d": "example.org", "header.s": "sel1"}
    assert header.results[1].properties["smtp.mailfrom"] == "anna@example.org"
    assert header.results[2].reason == "p=reject"
    assert header.results[2].properties["header.from"] == "example.org"


def test_none_a_method_version_and_nested_comments_are_understood():
    assert parse_authentication_results("mx.example.net; none").results == ()
    header = parse_authentication_results(
        "mx.example.net; dkim/1=fail (bad (really) \\) sig) header.i=@example.org"
    )
    assert [(r.method, r.result, r.properties) for r in header.results] == [
        ("dkim", "fail", {"header.i": "@example.org"})
    ]


def test_garbage_is_no_header_and_never_raises():
    for junk in ("", ";;;", "(unclosed comment", '"unclosed quote', "= = =", "x" * 100_000):
        parsed = parse_authentication_results(junk)
        assert parsed is None or parsed.results == ()


def test_only_the_topmost_servers_headers_are_trusted_by_default():
    values = [
        "mx.fachstelle.de; spf=pass smtp.mailfrom=example.org",
        "mx.fachstelle.de; dkim=pass header.d=example.org",
        "evil.example; dmarc=pass header.from=example.org",
    ]
    assert [h.authserv_id for h in trusted_results(values)] == ["mx.fachstelle.de", "mx.fachstelle.de"]


def test_a_configured_authserv_id_selects_that_servers_headers_even_below_others():
    values = [
        "filter.internal; spam=pass",
        "mx.fachstelle.de; dmarc=fail header.from=example.org",
        "evil.example; dmarc=pass header.from=example.org",
    ]
    assert [h.authserv_id for h in trusted_results(values, trusted_authserv_id="MX.fachstelle.de")] == [
        "mx.fachstelle.de"
    ]
    assert trusted_results(values, trusted_authserv_id="other.example") == []
    assert (
        authentication_failure(values, domain=DOMAIN, trusted_authserv_id="mx.fachstelle.de") == "dmarc=fail"
    )
    assert authentication_failure(values, domain=DOMAIN) is None  # the topmost header says nothing of DMARC


def test_dmarc_fail_rejects():
    assert authentication_failure(["mx; dmarc=fail header.from=example.org"], domain=DOMAIN) == "dmarc=fail"


def test_dmarc_fail_for_another_domain_is_not_about_this_sender():
    assert authentication_failure(["mx; dmarc=fail header.from=other.example"], domain=DOMAIN) is None


def test_dkim_and_spf_both_failing_reject_when_there_is_no_dmarc_verdict():
    values = ["mx; dkim=fail header.d=example.org; spf=fail smtp.mailfrom=example.org"]
    assert authentication_failure(values, domain=DOMAIN) == "dkim=fail, spf=fail"
    softfail = ["mx; dkim=permerror header.d=example.org; spf=softfail smtp.mailfrom=a@example.org"]
    assert authentication_failure(softfail, domain=DOMAIN) == "dkim=permerror, spf=softfail"


def test_one_failing_method_alone_or_a_passing_signature_does_not_reject():
    for value in (
        "mx; dkim=fail header.d=example.org; spf=pass smtp.mailfrom=example.org",
        "mx; dkim=none; spf=fail smtp.mailfrom=example.org",
        "mx; dkim=fail header.d=example.org; dkim=pass header.d=example.org; spf=fail",
        "mx; dmarc=pass header.from=example.org; spf=softfail; dkim=fail header.d=example.org",
        "mx; dkim=fail header.d=list.example; spf=fail smtp.mailfrom=list.example",
    ):
        assert authentication_failure([value], domain=DOMAIN) is None, value


def test_a_forged_passing_header_below_ours_cannot_hide_our_failure():
    values = [
        "mx.fachstelle.de; dmarc=fail header.from=example.org",
        "mx.fachstelle.de; dmarc=pass header.from=example.org; dkim=pass header.d=example.org",
    ]
    assert authentication_failure(values, domain=DOMAIN) == "dmarc=fail"
    split = [
        "mx.fachstelle.de; dkim=fail header.d=example.org",
        "mx.fachstelle.de; spf=fail smtp.mailfrom=example.org",
        "mx.fachstelle.de; dkim=pass header.d=example.org",
    ]
    # each method is taken from the topmost header that reports it: our server's verdicts
    assert authentication_failure(split, domain=DOMAIN) == "dkim=fail, spf=fail"


def test_no_headers_no_verdict():
    assert authentication_failure([], domain=DOMAIN) is None


def test_parse_email_keeps_the_authentication_results_headers_top_down():
    raw = (
        b"Authentication-Results: mx.fachstelle.de;\r\n dmarc=fail header.from=example.org\r\n"
        b"Received: from x by mx.fachstelle.de\r\n"
        b"Authentication-Results: evil.example; dmarc=pass\r\n"
        b"From: anna@example.org\r\nSubject: x\r\n\r\nHallo\r\n"
    )
    assert parse_email(raw).authentication_results == (
        "mx.fachstelle.de; dmarc=fail header.from=example.org",
        "evil.example; dmarc=pass",
    )


def test_thousands_of_hostile_headers_are_read_quickly_and_only_the_top_ones_kept():
    headers = b"".join(
        b"Authentication-Results: mx; dkim=pass (" + b"x" * 1000 + b")\r\n" for _ in range(5000)
    )
    started = time.perf_counter()
    parsed = parse_email(headers + b"From: anna@example.org\r\nSubject: x\r\n\r\nHallo\r\n")
    assert len(parsed.authentication_results) <= 20
    assert authentication_failure(parsed.authentication_results, domain=DOMAIN) is None
    assert time.perf_counter() - started < 12  # a bound only a blow-up crosses
