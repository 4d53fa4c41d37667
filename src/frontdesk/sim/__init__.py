"""The digital twin: a day of traffic through the real scenario, router and roster."""
