"""The curated knowledge base (YAML entries) and the German-aware retriever."""
