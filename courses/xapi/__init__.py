"""xAPI: learning events as statements, sent from an outbox to each organization's LRS."""
