"""Ingest: loaders for Markdown, text, HTML, PDF and DOCX, and structure-aware chunking."""
