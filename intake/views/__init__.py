"""Intake screens: ``citizen`` (web submit, my claims, case page, public tracking, attachments)
and ``staff`` (window walk-ins, receipts, hotline, grid reports)."""
