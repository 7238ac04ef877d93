"""Workroom sync server: organisation, auth, the merge engine and the HTTP API."""
