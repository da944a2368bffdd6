"""Composition root: the only module that knows both the settings and the concrete adapters."""
