"""Tenants: the municipalities one deployment serves, and the wall between their data."""
