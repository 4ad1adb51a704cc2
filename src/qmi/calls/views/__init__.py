"""The calls app's views, one module per area (see calls/urls.py)."""
