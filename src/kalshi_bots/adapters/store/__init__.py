"""Store backends: in-memory (tests), SQLite (default, local) and DynamoDB (AWS).

Use :func:`kalshi_bots.adapters.store.factory.open_store`; boto3 is imported only when DynamoDB is chosen.
"""

from kalshi_bots.adapters.store.factory import open_store
from kalshi_bots.adapters.store.schema import TableNames, table_definitions

__all__ = ["TableNames", "open_store", "table_definitions"]
