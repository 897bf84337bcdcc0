"""Running the portal for years: what an operator and the ISU need to see that it is alive and to bring it
back (readiness, the background-work page, backups and restore, logs, error reports, metrics). It belongs
to the composition root: it may read every app, and no app imports it."""
