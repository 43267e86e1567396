"""The curated knowledge base (YAML entries), the question and case models and the example index."""
