"""Errors raised by the pure core. Each says what was wrong with which input."""


class DomainError(ValueError):
    """An input violates a rule of the trading model (bad price, bad strike, unknown fee type...)."""


class InvalidPriceError(DomainError):
    """A price is not a positive finite number."""


class UnknownFeeTypeError(DomainError):
    """The series charges a fee type this system does not model: refuse to trade."""
