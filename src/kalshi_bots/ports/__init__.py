"""Interfaces (Protocols) between the jobs and the outside world. Adapters implement them."""
