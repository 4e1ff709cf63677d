"""Certified e-mail (PEC): a transactional outbox sent by Celery, with the receipts that prove delivery."""
