"""Platform adapters: translate platform events to core messages and replies back."""
