"""Implementations of the store port (``frontdesk.domain.repositories``): memory and SQL."""
