"""traits: the Traits d'Unions partnership-matching toolkit."""

__version__ = "0.1.0"
