"""Every command of the project shows its help: a plain, non-empty string (argparse cannot take a lazy one),
in the active language, without touching the database."""

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

OURS = sorted((name, app) for name, app in get_commands().items() if app in {"clinic", "intake", "scheduling"})


def test_the_project_has_its_commands():
    assert {"seed_demo", "task_worker", "intake_load_defaults", "send_due_reminders"} <= {n for n, _ in OURS}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("name", "app"), OURS)
def test_a_commands_help_is_shown(name, app, language):
    with translation.override(language):
        command = load_command_class(app, name)
        assert isinstance(command.help, str) and len(command.help) > 20
        assert command.help.split()[0] in command.create_parser("manage.py", name).format_help()
