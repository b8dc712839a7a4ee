"""What every management command of the project shares."""

from django.core.management.base import BaseCommand


class TranslatedHelp:
    """A command whose `help_text` (a lazy translation) is translated when the help is shown, not when the module
    loads; `help` must be a plain string, since argparse runs a regular expression over it. Put it before the
    command class it extends (`TranslatedHelpCommand`, or another app's command such as the task worker's)."""

    help_text = ""

    @property
    def help(self) -> str:
        return str(self.help_text)


class TranslatedHelpCommand(TranslatedHelp, BaseCommand):
    """A plain command with its help translated when shown."""
