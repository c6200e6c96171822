"""The audit trail: who did what, to what, when and why; kept for every official action."""
