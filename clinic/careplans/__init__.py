"""Care plans (issue 16): the practitioner's plan of visits, its versions and the patient's acceptance.

Lives beside the visit notes inside the clinic app: it may read the core; notes may ask it whether the current
plan was accepted (the consent gate); intake and scheduling never import it (import-linter contract).
"""
