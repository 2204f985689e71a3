"""Shared machinery of every API: configuration, storage, HTTP pipeline, XML, auth, paging."""
