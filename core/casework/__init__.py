"""Consent records and case notes on a person."""
