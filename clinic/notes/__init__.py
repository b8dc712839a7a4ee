"""Visit notes and the patient chart: the clinical record of the clinic app.

Models live in `clinic.models.notes`; this package holds their services, selectors, forms, views and the
server-side SVG charts. Unlike the core (`clinic.models.core`, `clinic.services`), this code may read
`scheduling` and `intake`, always through their `selectors` and `services` modules.
"""
