"""What every app may use and that knows no app: the audited admin mixin, the lifecycle of documents made
in the background, import helpers, spreadsheets and zip checks, uploads, responses and rate limits, the
clock and the view helper that shows a service's refusal. Nothing here imports an app above ``audit``."""
