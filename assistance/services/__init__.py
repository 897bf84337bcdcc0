"""Every write of the assistance app, by what it writes: each is atomic, audited (``audit.services.record``)
and takes an explicit actor; who may do it is asked of ``assistance.access``. Importers name the module
they mean (``from assistance.services import matching``).

- ``requests``: a State's focal point files, changes, shares, withdraws and closes an assistance request.
- ``documents``: the supporting documents of a request (checked by ``assistance.uploads``), added and removed.
- ``offers``: a donor focal point registers, changes and withdraws an offer (the donor is created on the first).
- ``matching``: a coordinator proposes a match, both sides decide, the donor records commitment and delivery;
  the daily check raises coordinator tasks, a coordinator marks one done. E-mails are enqueued by task name.
- ``coalitions``: the meetings of a country coalition.
- ``validation``: the checks requests, offers and matches share (an amount and its currency, a period, a budget).
- ``changes``: the audited save steps requests and offers share (a new object, changed fields, a status).
"""
