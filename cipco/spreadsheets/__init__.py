"""Workbooks in and out. Knows columns and cell rules; the domain rules stay in services."""
