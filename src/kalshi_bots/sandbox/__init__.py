"""Fake Kalshi, Coinbase and NWS servers that behave like the real ones, for tests and offline demos."""
