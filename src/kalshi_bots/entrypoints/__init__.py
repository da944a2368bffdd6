"""Thin shells: CLI, local scheduler, Lambda handlers, HTTP API. They call the job runner."""
