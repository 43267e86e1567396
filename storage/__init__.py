"""Persistence: SQLModel tables, engine and sessions, small repositories, Alembic migrations."""
