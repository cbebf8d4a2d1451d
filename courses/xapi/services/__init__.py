"""xAPI services: the endpoint (endpoints), what events write (events), sending (outbox), backfill."""
