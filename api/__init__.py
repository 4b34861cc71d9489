"""Serving people and programs: the `conseil` command line (and, later, the HTTP API)."""
