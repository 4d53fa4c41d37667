"""Event buses: in-process today; a broker-backed bus for several nodes later."""
