"""Composition root: wires settings, storage, bus, adapters and services; the demo tenant."""
