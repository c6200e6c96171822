"""Supervision of villages: complaints and cases, gate lookups, the ranked list, dashboards."""
