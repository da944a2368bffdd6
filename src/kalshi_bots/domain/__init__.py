"""The pure core: value objects and decision rules. Standard library only; no I/O, clock or env."""
