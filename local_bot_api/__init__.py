"""Local Telegram Bot API server that behaves (and refuses) like Telegram, for tests and the local chat."""

from .faults import FaultRule
from .models import BotMessage, CallbackAnswer, RequestRecord
from .server import LocalBotApi
from .spec import SpecNotFoundError

__all__ = ["BotMessage", "CallbackAnswer", "FaultRule", "LocalBotApi", "RequestRecord", "SpecNotFoundError"]
