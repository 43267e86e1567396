"""Replies to typed answers that several conversations share (the rules live in services)."""

from __future__ import annotations

# the address rule itself is services.email_address: what a user may type is what the composer can send to
EMAIL_HINT = "Das sieht nicht nach einer E-Mail-Adresse aus (Beispiel: <i>name@gemeinde.de</i>)."
