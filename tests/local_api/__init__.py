"""Tests of the local Telegram Bot API server."""
