"""`{% careplan_position appointment as p %}`: where an appointment falls in the patient's current care plan.

For pages of other apps (the front desk's appointment page, the calendar) that must not import the care plans'
code: the template asks, in two queries, for the appointments it shows.
"""

from django import template

from clinic.careplans import selectors

register = template.Library()


@register.simple_tag
def careplan_position(appointment):
    if appointment is None or getattr(appointment, "pk", None) is None:
        return None
    return selectors.plan_positions([appointment]).get(appointment.pk)


@register.simple_tag
def careplan_current_of(patient):
    """`{% careplan_current_of patient as plan %}`: the patient's current plan (proposed, accepted or active),
    for the patient's account page, which must not import the care plans' code. One query."""
    if patient is None or getattr(patient, "pk", None) is None:
        return None
    return selectors.careplan_current(patient)


@register.simple_tag
def careplan_block_labels(grid):
    """`{% careplan_block_labels grid as labels %}`: appointment id -> "visit 7 of 12 · re-exam due at visit 12"
    (with "past the plan" or "re-exam overdue" when so) for every block of a calendar grid
    (scheduling.calendar.Grid), which `{% cal_blocks col labels %}` writes in its block. Two queries."""
    appointments = [block.appointment for column in getattr(grid, "columns", ()) for block in column.blocks]
    return {pk: position.short for pk, position in selectors.plan_positions(appointments).items()}
