"""Insight for moderators: the report (figures, knowledge gaps), its charts and the questions CSV."""
