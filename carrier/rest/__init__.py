"""The carrier's Twilio-compatible REST API (see ``views``)."""
from carrier.rest.views import bp

__all__ = ["bp"]
