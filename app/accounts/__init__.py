"""Accounts, roles, one-time-code and password login, and personal identity rules."""
