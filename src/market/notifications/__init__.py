"""Mails to people about what happened, sent by jobs from the events the domains record."""
