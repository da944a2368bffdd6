"""Coinbase Exchange public market data (no API key): ticker and 1-minute candles."""

from kalshi_bots.adapters.coinbase.client import CoinbaseClient
from kalshi_bots.adapters.coinbase.parse import parse_candles, parse_ticker

__all__ = ["CoinbaseClient", "parse_candles", "parse_ticker"]
