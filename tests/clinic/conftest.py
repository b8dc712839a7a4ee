"""Fixtures the clinic app's tests share (the cast is in tests/conftest.py)."""

import pytest

from tests.clinic import note_factories as nf
from tests.intake import factories as intake_factories


@pytest.fixture
def frozen(settings):
    """The clinic's clock stopped at `note_factories.NOW` (Monday 1 June 2026, 07:00 in New York); answers the
    traveller. A module whose every test needs it names it in `pytestmark`; one that wants another time overrides it.
    """
    with nf.clinic_clock(settings) as traveller:
        yield traveller


@pytest.fixture
def week_before(settings):
    """The clinic's clock running from a week before `note_factories`' visit day (08:00): a care plan is proposed
    and consented then; a test moves on with `week_before.move_to(...)`. The care-plan modules name it in
    `pytestmark`."""
    with nf.clinic_clock(settings, nf.at(-7, 8), tick=True) as traveller:
        yield traveller


@pytest.fixture
def ndi(db):
    """The Neck Disability Index, loaded from the shipped questionnaires."""
    return intake_factories.load_questionnaires()["ndi"]
