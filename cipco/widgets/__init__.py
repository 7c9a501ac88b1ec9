"""Reusable widgets: the paged RecordTable and small form helpers."""
