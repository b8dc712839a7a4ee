"""The reports' figures, one module per report; import from here (`from reports import selectors`). Each figure is
a handful of aggregate queries, however long the range (no per-row loops).

- `common`: the scope and the filters' choices, the scope's appointments, what counts as attended, SQL helpers
- `hours`: the practitioners' working intervals in the range and their union (for utilisation and idle gaps)
- `attendance`: no-shows and late cancellations, and the patients with repeated no-shows
- `utilisation`: booked vs available hours per practitioner and per room
- `idle_gaps`: the free stretches of working hours that could take a visit
- `new_patients`: first visits per week, and who came back within 30 days
- `retention`: rebooking, and the lapsed patients
- `careplans`: plans started and ended, visits per ended plan
- `outcomes`: patients whose pain or questionnaire score improved meaningfully

Dependencies run one way: common <- hours <- utilisation/idle_gaps; every other report uses common only. A report
module shares its report's name: `selectors.attendance` here is the function; import the module's own names
`from reports.selectors.attendance import ...`.
"""

from reports.selectors.attendance import Attendance, AttendanceRow, attendance, repeated_no_shows
from reports.selectors.careplans import CarePlanRow, CarePlans, careplans
from reports.selectors.common import ATTENDED, Scope, appointments_in, locations_for_filter, practitioners_for_filter
from reports.selectors.idle_gaps import IdleGap, IdleGaps, idle_gaps
from reports.selectors.new_patients import NewPatientsRow, new_patients
from reports.selectors.outcomes import OutcomeRow, Outcomes, outcomes
from reports.selectors.retention import Rebooking, RebookingRow, lapsed_count, lapsed_patients, rebooking
from reports.selectors.utilisation import Utilisation, UtilisationRow, utilisation

__all__ = [
    "ATTENDED",
    "Attendance",
    "AttendanceRow",
    "CarePlanRow",
    "CarePlans",
    "IdleGap",
    "IdleGaps",
    "NewPatientsRow",
    "OutcomeRow",
    "Outcomes",
    "Rebooking",
    "RebookingRow",
    "Scope",
    "Utilisation",
    "UtilisationRow",
    "appointments_in",
    "attendance",
    "careplans",
    "idle_gaps",
    "lapsed_count",
    "lapsed_patients",
    "locations_for_filter",
    "new_patients",
    "outcomes",
    "practitioners_for_filter",
    "rebooking",
    "repeated_no_shows",
    "utilisation",
]
