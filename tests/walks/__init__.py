"""Walks shared by every app: every URL, every role, every object of a patient, every free-text field."""
