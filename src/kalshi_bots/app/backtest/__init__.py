"""Backtests: replay recorded prices through the live decision code and score its probabilities.

Pure computation over in-memory series (no files, no clock): the CSV loaders live in
``kalshi_bots.adapters.backtest_data`` and the report writer in ``kalshi_bots.adapters.report``.
"""
