"""Every read of the assistance app that a page, a JSON twin or another app asks for, by what it reads.
Importers name the module they mean (``from assistance.selectors import board``); who may see what is
``assistance.access``'s.

- ``funding``: a request's funding (needed, pledged ⊇ committed ⊇ delivered, the gap) and the terms' definitions.
- ``overview``: needs and coverage of open requests per area, region and currency; public requests; largest gaps.
- ``board``: the matching board (open requests of a coordinator's areas with ranked candidate offers, tasks).
- ``coalitions``: the coalition list and page, and the coalitions and concept events known by a day.
- ``history``: the audit trail as pages show it (a request's history, how it ended, a match's timeline).
"""
