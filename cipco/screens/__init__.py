"""One module per log, plus the dashboard-level screens and shared modals."""
