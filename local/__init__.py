"""Development tools: the local runner, the stream poller, the spec builder. Never deployed."""
