"""Typed settings read from ``KALSHI_BOTS_*`` environment variables, validated at startup."""
