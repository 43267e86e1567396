"""Tests of the pure e-mail building blocks in mail/."""
