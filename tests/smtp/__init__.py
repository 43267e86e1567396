"""Tests of the SMTP transport against a real SMTP server on loopback, and of the file sink."""
