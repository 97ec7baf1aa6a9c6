"""SMS to complainants through Twilio's Messages API: receipts queued by case
events into an outbox (``sms.services.queue_message``), sent by the scheduler
(``sms.sender``), and the signed webhooks for delivery status and inbound
texts (``sms.views``).  docs/sms.md tells the whole story."""
