"""Shared test helpers: settings and fixture documents, a clock, chat builders, fake platforms."""
