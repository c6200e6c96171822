"""A worker's own data under PIPL: see everything held about them, take a copy, have it erased.

inventory.py knows, domain by domain, which rows hold a person's data and what erasure does to
each; services.py holds the rules (what may be erased when, and how); routes.py is thin.
docs/privacy.md explains the choices.
"""
