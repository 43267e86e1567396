"""Fixed German texts of the Telegram conversation (Sie-form, short and friendly)."""

from __future__ import annotations

WELCOME = (
    "Guten Tag! Ich bin <b>klimabot</b>, der digitale Assistent der Fachstelle Klima-Kommunen "
    "von „Hessen aktiv: Die Klima-Kommunen“.\n\n"
    "Fragen Sie mich zu Mitgliedschaft, Aktionsplan, THG-Bilanz, Berichtspflicht, Förderung und "
    "Klimaanpassung – einfach in eigenen Worten. Wenn ich etwas nicht sicher weiß, sage ich es und "
    "nenne Ihnen die Fachstelle als persönlichen Kontakt."
)

PRIVACY = (
    "🔒 <b>Datenschutz:</b> Ich speichere Ihre Fragen, Ihre Bewertungen (👍/👎) und Ihre Telegram-ID, "
    "um Ihnen zu antworten und die Wissensbasis zu verbessern; die Fachstelle wertet offene Fragen aus. "
    "Bitte senden Sie keine personenbezogenen Daten Dritter. Auf Wunsch löscht die Fachstelle Ihre Daten."
)

ASK_PROMPT = (
    "Schreiben Sie Ihre Frage einfach hier in den Chat – so, wie Sie sie einer Kollegin stellen würden."
)

TOPICS_PROMPT = "Zu welchem Thema möchten Sie etwas wissen?"

ONLY_TEXT = (
    "Ich kann bisher nur Textnachrichten lesen. Schreiben Sie mir Ihre Frage bitte als Text – "
    "oder tippen Sie /hilfe."
)

FEEDBACK_THANKS_UP = "Danke für Ihre Rückmeldung! 👍"
FEEDBACK_THANKS_DOWN = (
    "Danke! Wir prüfen die Antwort. Für Ihren Fall hilft Ihnen die Fachstelle gern persönlich."
)
ENTRY_GONE = "Dieser Eintrag ist nicht mehr verfügbar. Bitte stellen Sie Ihre Frage noch einmal."
UNKNOWN_COMMAND = "Diesen Befehl kenne ich nicht. Das kann ich für Sie tun:"
FEEDBACK_NOT_YOURS = "Bewerten können Sie nur Antworten auf Ihre eigenen Fragen."
TECHNICAL_PROBLEM = (
    "⚠️ Bei uns gibt es gerade ein technisches Problem. Ihre Nachricht ist angekommen – ich bearbeite sie, "
    "sobald es behoben ist. Sie müssen nichts noch einmal senden."
)
UNEXPECTED_ERROR = (
    "Entschuldigung, da ist bei mir etwas schiefgegangen. Bitte versuchen Sie es noch einmal oder schreiben "
    "Sie uns direkt: {contact}"
)
GROUP_HINT = (
    "Ich arbeite nur im Einzelchat, damit Ihre Anfragen, Termine und Berichte vertraulich bleiben. "
    "Bitte schreiben Sie mir direkt: {link}"
)
