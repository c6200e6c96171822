"""Employer organisations: registration, verification, staff, and the roster of their workers."""
