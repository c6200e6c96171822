"""Quarantine case files: 14-day observation, daily checks, release, enterprise daily monitoring."""
