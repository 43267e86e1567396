"""IMAP transport tests against a private Dovecot on 127.0.0.1."""
