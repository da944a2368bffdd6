"""The fake Kalshi Trade API v2, by concept:

- :mod:`.server`: :class:`FakeKalshi`, the fake as a whole: lifecycle, seeding, the request pipeline
  (faults, signature check, lock);
- :mod:`.routes`: what each path answers (paging, filters);
- :mod:`.state` and :mod:`.order_rules`: the exchange itself: books, matching, fees, positions,
  settlement, and the order request checks;
- :mod:`.render`: the wire JSON of markets, events, books, balances and positions;
- :mod:`.faults`: the faults a test injects (errors, delays, drops, wrong but well-formed data);
- :mod:`.signing`: the request signature check and key pairs;
- :mod:`.demo`: realistic hourly ladders and weather brackets for the offline sandbox.
"""

from kalshi_bots.sandbox.kalshi.server import PREFIX, FakeKalshi
from kalshi_bots.sandbox.kalshi.state import FakeMarket

__all__ = ["PREFIX", "FakeKalshi", "FakeMarket"]
