"""Wiring and the `verbinder` command: the only package that imports every other one."""
