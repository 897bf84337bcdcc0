"""The audit trail: who changed what, when, from what to what (the lowest layer: it knows no app).

- ``models.py``: ``AuditEntry``, written once and never edited.
- ``services.py``: ``record`` (inside the transaction that makes the change), ``snapshot`` and ``diff``.
- ``selectors.py``: the only reads of the trail (an object's history, its latest entry of an action,
  whether an action was recorded); no other app queries ``AuditEntry`` itself.
- ``admin.py``: the ISU reads the trail in the admin, never changes it.
"""
