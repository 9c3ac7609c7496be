"""Delivery: the outbox every outgoing message goes through, and the scheduler of stored jobs."""
