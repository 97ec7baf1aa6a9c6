"""The voice menus: the pure IVR flow, its idempotent steps with stored TwiML,
signed Twilio webhooks, TwiML rendering, the failure path and the spool."""
