"""Data the project ships: demo catalog, demo studies, the curated ingredient knowledge base."""
