"""Texts that are data, in the language the patient reads.

Questionnaires, red-flag questions and their advice are data in this product, not interface strings: each text
carries its own translations (a `translations` field on the questionnaire's rows, a per-language mapping in
`intake.content`). The active language (`translation.get_language()`, which the middleware sets from the switch,
the patient's record or the browser) picks the text when it is shown; a missing translation falls back to the
clinic's default language (English). Interface strings (labels, buttons, messages) go through gettext instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import lazy

OFFERED = tuple(code for code, _name in settings.LANGUAGES)
# The languages a translation may be given in: every offered one but the default, which the row's own fields hold.
TRANSLATABLE = tuple(code for code in OFFERED if code != settings.LANGUAGE_CODE)


def active_language() -> str:
    """The offered language of the page being rendered (a regional variant such as es-mx counts as es)."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    if code in OFFERED:
        return code
    base = code.split("-")[0]
    return base if base in OFFERED else settings.LANGUAGE_CODE


def pick(texts: Mapping[str, str]) -> str:
    """The text in the active language, else in the default language."""
    return texts.get(active_language()) or texts[settings.LANGUAGE_CODE]


def _pick_lazily(texts: Mapping[str, str]) -> str:
    return pick(texts)


# A text chosen when it is used (a form label, a template), not when the module is imported.
texts_lazy = lazy(_pick_lazily, str)


def words(en: str, **others: str):
    """A fixed text of the intake (a red-flag question, an advice) with its translations: {"en": ..., "es": ...},
    shown in the active language."""
    return texts_lazy({settings.LANGUAGE_CODE: en, **others})


def translated(row, field: str) -> str:
    """`row.<field>` in the active language, from the row's `translations` ({"es": {"text": "..."}}), else the
    field's own (default-language) value."""
    language = active_language()
    if language != settings.LANGUAGE_CODE:
        value = ((row.translations or {}).get(language) or {}).get(field)
        if value:
            return value
    return getattr(row, field)


def check_translations(translations, fields: Mapping[str, int]) -> None:
    """Refuse translations that are not {language: {field: text}} with an offered language, a translatable field
    and a text no longer than the field's own limit (`fields`: name -> max length, 0 for none)."""
    if translations in (None, {}):
        return
    if not isinstance(translations, dict):
        raise ValidationError({"translations": 'Give the translations like {"es": {"text": "..."}}.'})
    for language, values in translations.items():
        if language not in TRANSLATABLE:
            offered = ", ".join(TRANSLATABLE) or "none"
            raise ValidationError(
                {"translations": f"“{language}” is not a language the site offers a translation in ({offered})."}
            )
        if not isinstance(values, dict):
            raise ValidationError({"translations": f'Give the “{language}” texts like {{"text": "..."}}.'})
        for name, value in values.items():
            if name not in fields:
                allowed = ", ".join(fields)
                raise ValidationError({"translations": f"“{name}” cannot be translated here (only: {allowed})."})
            if not isinstance(value, str) and not (name == "bands" and isinstance(value, list)):
                raise ValidationError({"translations": f"The “{language}” {name} must be a text."})
            limit = fields[name]
            if limit and isinstance(value, str) and len(value) > limit:
                raise ValidationError(
                    {"translations": f"The “{language}” {name} is {len(value)} characters long; at most {limit}."}
                )
