"""Operators on the phone: taking over live calls, answering the queue,
transferring to a department, and what they hear before each bridge."""
