"""Store backends: in-memory (tests), SQLite (default, local) and DynamoDB (AWS).

``kalshi_bots.bootstrap.open_configured_store`` picks one from the settings; boto3 is imported only when
DynamoDB is chosen.
"""
