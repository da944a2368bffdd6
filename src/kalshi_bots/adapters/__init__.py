"""Implementations of the ports for the real world (HTTP APIs, stores) and the simulated one."""
