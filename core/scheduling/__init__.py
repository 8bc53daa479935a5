"""The scheduling area."""
