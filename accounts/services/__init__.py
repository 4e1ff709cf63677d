"""Every write of the accounts app: one module per procedure, each change in a transaction with its event."""
