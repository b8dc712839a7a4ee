"""Scheduling models: appointment types, working hours, appointments, waitlist."""
