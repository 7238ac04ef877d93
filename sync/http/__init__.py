"""Thin HTTP handlers: decode, authorise, call a service, encode."""
