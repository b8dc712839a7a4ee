"""Django's makemessages without msgmerge's fuzzy matching.

When a new string is gathered, msgmerge would otherwise copy the Spanish of a similar-looking entry and mark it
fuzzy ("Next visit" -> "Su visita"): a wrong guess that a translator has to find and clear. A new entry starts
empty instead, and `tools/check_translations.py` names the patient-facing ones still to translate.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
