"""How updates arrive and replies leave: per-chat ordering, rate limiting, the HTTP server."""
