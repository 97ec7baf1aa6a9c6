"""The call log: every call, step, recording and status callback, phone numbers
and their masking, and the Twilio REST client the service places calls with."""
