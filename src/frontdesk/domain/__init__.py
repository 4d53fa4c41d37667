"""The pure domain model: entities, value objects, events, errors and ports."""
