"""The API documentation pages (/docs)."""
