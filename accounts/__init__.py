"""Accounts: the people who sign in, their role and what it lets them do, the invitations that bring them in,
and the second factor ISU staff give.

- ``models.py``: users, their role (``Role``), thematic areas, invitations.
- ``permissions.py``: what each role may do (``Capability``, ``can``, ``is_isu``, ``acts_for_state``, ``holders``):
  the one place it is decided; the other apps ask it through their own ``access.py``.
- ``decorators.py``: ``capability_required`` for views; ``backends.py``: Django's admin permissions from roles;
  ``context_processors.py``: ``capabilities`` in templates.
- ``two_factor.py``: a session's second factor and the mailbox proof before enrolment; ``middleware.py`` marks
  the session's second factor and sends staff to give it.
- ``services.py``: every write (invitations, accepting one, activation, e-mail language, enrolment records);
  ``tasks.py``: the invitation e-mail through Celery; ``adapter.py``: no open sign-up (allauth).
- ``views.py`` and ``forms.py``: the user's home page, accepting an invitation, enrolment, the ISU's user
  pages; ``home_page.py``: the sections apps above add to the home page (deadlines: what is due next).
- ``admin.py``: users, invitations and areas in the admin; ``management/commands/seed_demo.py``: demo users.
"""
