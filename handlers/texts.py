"""Fixed German texts of the Telegram conversation (Sie-form, short and friendly)."""

from __future__ import annotations

WELCOME = (
    "Guten Tag! Ich bin <b>klimabot</b>, der digitale Assistent der Fachstelle Klima-Kommunen "
    "von „Hessen aktiv: Die Klima-Kommunen“.\n\n"
    "Fragen Sie mich zu Mitgliedschaft, Aktionsplan, THG-Bilanz, Berichtspflicht, Förderung und "
    "Klimaanpassung – einfach in eigenen Worten. Wenn ich etwas nicht sicher weiß, sage ich es und "
    "nenne Ihnen die Fachstelle als persönlichen Kontakt."
)


def privacy_notice(settings) -> str:
    """What is stored, why and for how long (the periods are the operator's settings)."""

    def after(days: int) -> str:  # dative, after „nach“
        if days % 365 == 0:
            return f"nach {days // 365} Jahr{'en' if days // 365 != 1 else ''}"
        return f"nach {days} Tag{'en' if days != 1 else ''}"

    return (
        "🔒 <b>Datenschutz:</b> Ich speichere Ihre Fragen, Ihre Bewertungen (👍/👎) und Ihre Chat-Kennung (Telegram-ID bzw. Web-Chat-Sitzung), um "
        "Ihnen zu antworten und die Wissensbasis zu verbessern; für Termine, Anfragen an die Fachstelle und "
        "Berichte auch Name, E-Mail und Telefon, die Sie angeben. Fragen werden "
        f"{after(settings.retention_questions_days)} anonymisiert, Anfragen "
        f"{after(settings.retention_closed_tickets_days)} ab Abschluss, Termine "
        f"{after(settings.retention_past_bookings_days)}. Bitte senden Sie keine personenbezogenen Daten "
        "Dritter. Was gespeichert ist, sehen Sie mit /meine_daten; mit /daten_loeschen löschen Sie es."
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
