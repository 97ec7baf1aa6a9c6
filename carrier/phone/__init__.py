"""The browser phone: a page for people to call the hotline and to be the
operator's and the complainant's phones (see ``views``)."""
from carrier.phone.views import bp

__all__ = ["bp"]
