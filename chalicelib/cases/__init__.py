"""The Case Management API (seed 003): trouble tickets and cases."""
