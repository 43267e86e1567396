"""Read the Authentication-Results headers (RFC 8601) of our receiving server and judge the sender's domain.

Which headers are trusted: every server on the way may add an Authentication-Results header, and the
sender may write any number of them himself. Headers are prepended, so the topmost ones were added last,
by our own receiving server. With no configured authserv-id the authserv-id of the topmost header is
taken as ours, and only headers with that authserv-id count; with a configured one (`trusted_authserv_id`)
only headers with that authserv-id count, wherever they are. RFC 8601 §5 asks the receiving server to
remove headers that carry its own authserv-id from incoming mail; where it does not, a sender's own
header could sit right below ours with the same authserv-id, so every method is taken from the topmost
trusted header that reports it (ours) and a "pass" never outweighs a failure. The headers can therefore
only take trust away, never give it: without them the mail is judged by its threading alone.

The verdict (`authentication_failure`), documented for the operators:
- DMARC fail for the From domain → reject (the domain owner says the mail is not theirs);
- otherwise DKIM fail/permerror for the From domain AND SPF fail/permerror for it → reject; SPF softfail
  counts as a failure too unless DMARC passed;
- anything else (pass, none, neutral, temperror, no header at all) → no objection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# A server writes a few short headers; hostile mail may carry thousands of huge ones.
MAX_HEADERS = 20
MAX_HEADER_CHARS = 16_384
_DKIM_FAILED = frozenset({"fail", "permerror"})
_SPF_FAILED = frozenset({"fail", "permerror"})
_TOKEN = re.compile(r'\s+|[;=()]|"(?:[^"\\]|\\.)*"?|(?:\\.|[^\s;=()"\\])+|\\', re.DOTALL)


@dataclass(frozen=True)
class MethodResult:
    """One resinfo of a header: `dkim=pass header.d=example.org` (method and result lower-case)."""

    method: str
    result: str
    reason: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthenticationResults:
    """One Authentication-Results header: who checked (authserv-id) and what came out."""

    authserv_id: str
    results: tuple[MethodResult, ...]


def parse_authentication_results(value: str) -> AuthenticationResults | None:
    """Parse one header value; None when it has no authserv-id. Never raises."""
    segments = _segments(_tokens(value[:MAX_HEADER_CHARS]))
    if not segments or not segments[0]:
        return None
    authserv_id = segments[0][0].lower()  # an optional version number may follow (RFC 8601 §2.2)
    results = tuple(result for result in map(_method_result, segments[1:]) if result is not None)
    return AuthenticationResults(authserv_id, results)


def trusted_results(
    values: Sequence[str], *, trusted_authserv_id: str | None = None
) -> list[AuthenticationResults]:
    """The headers written by our receiving server, topmost first (see the module docstring for why)."""
    parsed = [header for header in map(parse_authentication_results, values[:MAX_HEADERS]) if header]
    if not parsed:
        return []
    ours = (trusted_authserv_id or parsed[0].authserv_id).strip().lower()
    return [header for header in parsed if header.authserv_id == ours]


def authentication_failure(
    values: Sequence[str], *, domain: str, trusted_authserv_id: str | None = None
) -> str | None:
    """Why our server's checks say the mail is not from `domain` (e.g. "dmarc=fail"), or None."""
    headers = trusted_results(values, trusted_authserv_id=trusted_authserv_id)
    domain = domain.strip().lower()
    dmarc = _verdict(_topmost(headers, "dmarc"), domain, "header.from")
    if dmarc == "fail":
        return "dmarc=fail"
    dkim = _verdict(_topmost(headers, "dkim"), domain, "header.d", "header.i")
    spf = _verdict(_topmost(headers, "spf"), domain, "smtp.mailfrom")
    spf_failed = _SPF_FAILED | ({"softfail"} if dmarc != "pass" else set())
    if dkim in _DKIM_FAILED and spf in spf_failed:
        return f"dkim={dkim}, spf={spf}"
    return None


def _topmost(headers: list[AuthenticationResults], method: str) -> list[MethodResult]:
    for header in headers:
        found = [result for result in header.results if result.method == method]
        if found:
            return found
    return []


def _verdict(results: list[MethodResult], domain: str, *names: str) -> str | None:
    """pass if any result for the domain passed, else its first failure, else its first result."""
    relevant = [result for result in results if _about(result, domain, names)]
    outcomes = [result.result for result in relevant]
    if "pass" in outcomes:
        return "pass"
    failed = [outcome for outcome in outcomes if outcome in _DKIM_FAILED | _SPF_FAILED | {"softfail"}]
    return failed[0] if failed else (outcomes[0] if outcomes else None)


def _about(result: MethodResult, domain: str, names: tuple[str, ...]) -> bool:
    values = [result.properties[name] for name in names if name in result.properties]
    if not values:
        return True  # a result without the property is about the message, so about its From domain
    return any(_aligned(value.rsplit("@", 1)[-1].strip(".").lower(), domain) for value in values)


def _aligned(checked: str, domain: str) -> bool:
    # DMARC's relaxed alignment (RFC 7489 §3.1), approximated without a public-suffix list
    return bool(checked) and (
        checked == domain or checked.endswith("." + domain) or domain.endswith("." + checked)
    )


def _tokens(value: str) -> list[str]:
    """Words, quoted strings (unquoted), ";" and "="; comments (RFC 5322 CFWS, nested) dropped."""
    tokens: list[str] = []
    depth = 0
    for match in _TOKEN.finditer(value):
        token = match.group()
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(depth - 1, 0)
        elif depth or token.isspace():
            continue
        elif token.startswith('"'):
            tokens.append(re.sub(r"\\(.)", r"\1", token[1:-1] if token.endswith('"') else token[1:]))
        else:
            tokens.append(token)
    return tokens


def _segments(tokens: list[str]) -> list[list[str]]:
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token == ";":
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


def _method_result(tokens: list[str]) -> MethodResult | None:
    # methodspec = method [ "/" version ] "=" result, then reason= and ptype.property= pairs
    if len(tokens) < 3 or tokens[1] != "=" or "=" in (tokens[0], tokens[2]):
        return None
    method = tokens[0].split("/", 1)[0].strip().lower()
    reason = None
    properties: dict[str, str] = {}
    rest = tokens[3:]
    for index in range(len(rest) - 2):
        key, equals, value = rest[index : index + 3]
        if equals != "=" or "=" in (key, value):
            continue
        if key.lower() == "reason":
            reason = value
        elif "." in key:
            properties.setdefault(key.lower(), value.lower())
    return MethodResult(method, tokens[2].lower(), reason, properties)
