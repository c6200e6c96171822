"""Nucleic-acid testing subsidies: test batches, invoices, applications, county budgets."""
