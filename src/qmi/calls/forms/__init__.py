"""The calls app's forms, one module per area."""
