"""Routing: scenarios, the expression language of their conditions, and agent selection.

This package is pure code: it does no I/O and reads no clock of its own.
"""
