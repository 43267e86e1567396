"""What the product counts, for Prometheus (`GET /metrics`): one place for every metric and its meaning.

Counters live in this process; a scrape of each instance gives its own share, summed by Prometheus. The
backlog gauges are read from the database at scrape time, so every instance reports the shared queues.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry()

QUESTIONS = Counter(
    "klimabot_questions",
    "Questions asked, by what became of them (answered, suggested, handed_over, small_talk)",
    ["outcome"],
    registry=REGISTRY,
)
TICKETS_OPENED = Counter(
    "klimabot_tickets_opened", "Tickets opened, by channel", ["channel"], registry=REGISTRY
)
TICKET_FIRST_RESPONSE = Histogram(
    "klimabot_ticket_first_response_seconds",
    "Time from a ticket's opening to the advisors' first reply",
    buckets=(300, 900, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600),
    registry=REGISTRY,
)
MAILS_RECEIVED = Counter(
    "klimabot_mails_received",
    "Incoming mails, by outcome (handled, quarantined)",
    ["outcome"],
    registry=REGISTRY,
)
MAILS_SENT = Counter("klimabot_mails_sent", "Mails delivered to the SMTP server", registry=REGISTRY)
MAIL_FAILURES = Counter(
    "klimabot_mail_send_failures",
    "Mail deliveries that failed, by kind (retry, permanent)",
    ["kind"],
    registry=REGISTRY,
)
BOOKINGS = Counter(
    "klimabot_bookings",
    "Initial consultations, by event (booked, cancelled, moved)",
    ["event"],
    registry=REGISTRY,
)
REPORTS_SUBMITTED = Counter("klimabot_reports_submitted", "Report versions submitted", registry=REGISTRY)
BACKLOG = Gauge(
    "klimabot_backlog", "Items waiting, by queue (mail, telegram, updates)", ["queue"], registry=REGISTRY
)
BACKLOG_OLDEST = Gauge(
    "klimabot_backlog_oldest_seconds",
    "Age of the oldest waiting item, by queue (0 when none waits)",
    ["queue"],
    registry=REGISTRY,
)
UPDATE_HANDLING = Histogram(
    "klimabot_update_handling_seconds",
    "Time to handle one Telegram update (handler and its database work)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)

for _outcome in ("answered", "suggested", "handed_over", "small_talk"):
    QUESTIONS.labels(_outcome)
for _kind in ("retry", "permanent"):
    MAIL_FAILURES.labels(_kind)
for _event in ("booked", "cancelled", "moved"):
    BOOKINGS.labels(_event)


def set_backlogs(backlogs) -> None:
    """Gauges from `storage.backlog.backlogs()`."""
    for queue, backlog in backlogs.items():
        BACKLOG.labels(queue).set(backlog.pending)
        BACKLOG_OLDEST.labels(queue).set(backlog.oldest_seconds or 0)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


WEB_CHAT_MESSAGES = Counter(
    "klimabot_web_chat_messages", "Messages, presses and uploads of web chat visitors", registry=REGISTRY
)
WEB_CHAT_OPEN_PAGES = Gauge(
    "klimabot_web_chat_open_pages",
    "Web chat pages with a live event stream on this instance",
    registry=REGISTRY,
)
WEB_CHAT_REFUSED = Counter(
    "klimabot_web_chat_refused",
    "Web chat requests refused, by reason (rate: too many; origin: not from the chat page)",
    ["reason"],
    registry=REGISTRY,
)
