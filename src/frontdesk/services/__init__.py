"""Use-cases around the pure core: intake, enrichment, dispatch, agents, configuration."""
