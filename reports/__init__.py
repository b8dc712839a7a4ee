"""Practice reports (issue 17): figures the database computes over a date range, shown as SVG charts, tables
and CSV. This app reads clinic, intake and scheduling; nothing imports it."""
