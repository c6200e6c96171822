"""Publicity: articles for travelling workers, and the public page of Changde's figures."""
