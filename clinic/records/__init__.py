"""Records out: a patient's record as PDF and as a FHIR R4 bundle.

Both are built from the data of the records export (`clinic.services.patient_export`, which gathers every app's
`export.patient_records`), never from another app's models: what leaves the clinic is exactly what the export
holds, for that one patient, and the export is audited with who and why.
"""
