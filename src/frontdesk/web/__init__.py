"""The HTTP and WebSocket edge: REST API with OpenAPI, realtime streams, problem+json."""
