"""kalshi-bots: automated trading for Kalshi hourly crypto and daily weather markets."""

__version__ = "0.1.0"
