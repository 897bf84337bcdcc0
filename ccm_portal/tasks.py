"""Celery tasks of the portal as a whole (not of one app): operations' own periodic work."""
