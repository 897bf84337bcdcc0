"""The open-data API (``/api/v1/``): the portal's public data for researchers and other systems, read-only,
described by OpenAPI 3 (``/api/v1/openapi.json``, browsable at ``/api/v1/docs/``), built with django-ninja.

It sits above every app (it reads their selectors and access rules, and writes nothing but its open-data
package) and below the composition root. It answers as the public, whoever asks: drafts and restricted data
are never in it.

- ``v1``: the API object, its routers, error answers and the rate limit; ``ccm_portal.urls`` mounts it.
- ``http``: absolute links from the request's host, conditional GET (ETag, Last-Modified), the throttle.
- ``pagination``: every list as ``{count, next, previous, results}``.
- ``schemas``: what the operations share (a State as ``{iso3, name}``, an amount with its currency).
- ``routers/``: one module per subject: ``states``, ``meetings``, ``obligations``, ``reports``, ``progress``,
  ``assistance``, ``open_data``.
- ``package``, ``models``, ``tasks``: the bulk open data (a Frictionless data package of CSV files), rebuilt
  in the background when published data changes.
"""
