"""The yearly measure reports: drafts that survive restarts, immutable versions, mails, campaign, exports.

Channel-neutral: the Telegram conversation, the e-mail channel, the CLI (`klimabot reports status|export`)
and the scheduler's campaign call these use cases. The modules: domain (states, dataclasses, errors, JSON
form of a working copy), drafts (open, resume, save), submission (check, version, mails), queries
(versions, status, export rows), campaign (contacts, opt-out, reminders due), attachments (photos, PDFs),
access (which chat may work on which municipality's reports, binding by mailed code), contacts (the
Fachstelle's addresses on file), years (the reporting window), chat_text (the conversation's HTML texts).
"""

from services.reports.access import (
    AccessDenied,
    BindingOptions,
    BindingResult,
    CodeOnItsWay,
    CodeTarget,
    Via,
    binding_options,
    change_draft,
    chat_draft,
    confirm_binding,
    grant_access,
    mask_email,
    may_edit,
    open_draft,
    send_binding_code,
    submit_chat_draft,
)
from services.reports.attachments import check_attachment, load_attachments, store_attachment
from services.reports.campaign import (
    DEFAULT_FOLLOW_UP_AFTER,
    campaign_targets,
    record_campaign_send,
    remember_contact,
    set_no_reminders,
)
from services.reports.contacts import ContactsFileError, MunicipalityContacts, load_contacts, parse_contacts
from services.reports.domain import (
    CARRY_OVER_KEYS,
    NEEDS_UPDATE,
    AttachmentRejected,
    CampaignContact,
    CampaignKind,
    Draft,
    DraftChanged,
    ReportInvalid,
    ReportNotFound,
    ReportState,
    StatusRow,
    SubmitResult,
    SubmittedReport,
    answers_for,
    file_current_measure,
    next_question,
    set_answer,
    start_first_measure,
)
from services.reports.drafts import get_or_start_draft, save_draft, update_draft
from services.reports.queries import export_rows, latest_submitted, list_versions, report_status
from services.reports.submission import check_draft, submit_report
from services.reports.years import YearOutsideWindow, pick_year, reporting_years

__all__ = [
    "CARRY_OVER_KEYS",
    "DEFAULT_FOLLOW_UP_AFTER",
    "NEEDS_UPDATE",
    "AccessDenied",
    "AttachmentRejected",
    "BindingOptions",
    "BindingResult",
    "CampaignContact",
    "CampaignKind",
    "CodeOnItsWay",
    "CodeTarget",
    "ContactsFileError",
    "Draft",
    "DraftChanged",
    "MunicipalityContacts",
    "ReportInvalid",
    "ReportNotFound",
    "ReportState",
    "StatusRow",
    "SubmitResult",
    "SubmittedReport",
    "Via",
    "YearOutsideWindow",
    "answers_for",
    "binding_options",
    "campaign_targets",
    "change_draft",
    "chat_draft",
    "check_attachment",
    "check_draft",
    "confirm_binding",
    "export_rows",
    "file_current_measure",
    "get_or_start_draft",
    "grant_access",
    "latest_submitted",
    "list_versions",
    "load_attachments",
    "load_contacts",
    "mask_email",
    "may_edit",
    "next_question",
    "open_draft",
    "parse_contacts",
    "pick_year",
    "record_campaign_send",
    "remember_contact",
    "report_status",
    "reporting_years",
    "save_draft",
    "send_binding_code",
    "set_answer",
    "set_no_reminders",
    "start_first_measure",
    "store_attachment",
    "submit_chat_draft",
    "submit_report",
    "update_draft",
]
