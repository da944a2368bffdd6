"""Store backends: in-memory (tests), SQLite (default, local) and DynamoDB (AWS).

Use :func:`kalshi_bots.adapters.store.factory.open_store`; boto3 is imported only when DynamoDB is chosen.
"""
