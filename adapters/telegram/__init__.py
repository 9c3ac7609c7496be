"""Telegram: Bot API updates by webhook or long polling (python-telegram-bot), replies as HTML."""
