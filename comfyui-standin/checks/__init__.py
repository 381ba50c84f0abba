"""Helpers for selfcheck.py."""
