"""Intake questionnaires, outcome measures, consent versions and signatures."""
