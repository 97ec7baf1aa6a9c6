"""A local stand-in for Twilio Programmable Voice, for development and tests.

It places calls into the service's webhooks signed like Twilio, runs the
TwiML it gets back, plays the parties (a caller, an operator's device, a
complainant), and serves the REST API the ``twilio`` client talks to.  It
refuses to run in production.  What it emulates, and what it does not, is in
docs/carrier.md.
"""
from carrier.actions import Pickup
from carrier.app import create_carrier_app
from carrier.clock import Clock
from carrier.exchange import Carrier, IncomingNumber
from carrier.guard import CarrierRefused, refuse_in_production
from carrier.parties import LivePhone, ScriptedParty, answering_machine, hang_up, press, say, silence, wait

__all__ = [
    "Carrier", "CarrierRefused", "Clock", "IncomingNumber", "LivePhone", "Pickup", "ScriptedParty",
    "answering_machine", "create_carrier_app", "hang_up", "press", "refuse_in_production", "say", "silence", "wait",
]
