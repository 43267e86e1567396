"""The yearly measure reports: drafts that survive restarts, immutable versions, mails, campaign, exports.

Channel-neutral: the Telegram conversation, the e-mail channel, the CLI (`klimabot reports status|export`)
and the scheduler's campaign call these use cases. The modules: domain (states, dataclasses, errors, JSON
form of a working copy), drafts (open, resume, save), submission (check, version, mails), queries
(versions, status, export rows), campaign (contacts, opt-out, reminders due), attachments (photos, PDFs).
"""

from services.reports.attachments import check_attachment, load_attachments, store_attachment
from services.reports.campaign import (
    DEFAULT_FOLLOW_UP_AFTER,
    campaign_targets,
    record_campaign_send,
    remember_contact,
    set_no_reminders,
)
from services.reports.domain import (
    CARRY_OVER_KEYS,
    NEEDS_UPDATE,
    AttachmentRejected,
    CampaignContact,
    CampaignKind,
    Draft,
    ReportInvalid,
    ReportNotFound,
    ReportState,
    StatusRow,
    SubmitResult,
    SubmittedReport,
)
from services.reports.drafts import get_or_start_draft, save_draft
from services.reports.queries import export_rows, latest_submitted, list_versions, report_status
from services.reports.submission import check_draft, submit_report

__all__ = [
    "CARRY_OVER_KEYS",
    "DEFAULT_FOLLOW_UP_AFTER",
    "NEEDS_UPDATE",
    "AttachmentRejected",
    "CampaignContact",
    "CampaignKind",
    "Draft",
    "ReportInvalid",
    "ReportNotFound",
    "ReportState",
    "StatusRow",
    "SubmitResult",
    "SubmittedReport",
    "campaign_targets",
    "check_attachment",
    "check_draft",
    "export_rows",
    "get_or_start_draft",
    "latest_submitted",
    "list_versions",
    "load_attachments",
    "record_campaign_send",
    "remember_contact",
    "report_status",
    "save_draft",
    "set_no_reminders",
    "store_attachment",
    "submit_report",
]
