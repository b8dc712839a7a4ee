"""Questionnaires as data: loading a definition into items and options, refused once patients answered it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import AuditEvent
from clinic.services import audit_record
from intake.models import IntakeSubmission, OutcomeScore, Questionnaire, QuestionnaireItem, QuestionnaireOption
from intake.services.common import IntakeError


@transaction.atomic
def questionnaire_load(*, definition: dict, actor=None, request=None) -> Questionnaire:
    """Create or replace a questionnaire's items and options from a definition (see questionnaire_data.py).

    Refused once patients have answered it: scores stay tied to the wording they answered.
    """
    questionnaire = Questionnaire.objects.filter(code=definition["code"]).first()
    if questionnaire is not None:
        if (
            OutcomeScore.objects.filter(questionnaire=questionnaire).exists()
            or IntakeSubmission.objects.filter(questionnaire=questionnaire).exists()
        ):
            return questionnaire
        questionnaire.items.all().delete()
    else:
        questionnaire = Questionnaire(code=definition["code"])
    for name in ("title", "region", "instructions", "max_item_score", "bands", "source_note"):
        setattr(questionnaire, name, definition[name])
    questionnaire.translations = {
        language: {k: v for k, v in texts.items() if k in Questionnaire.TRANSLATABLE}
        for language, texts in (definition.get("translations") or {}).items()
    }
    questionnaire.meaningful_change = definition.get("meaningful_change")
    questionnaire.max_missing_items = definition.get("max_missing_items", 1)
    questionnaire.active = True
    questionnaire.full_clean()
    questionnaire.save()
    for position, spec in enumerate(definition["items"], start=1):
        spec_translations = spec.get("translations") or {}
        item = QuestionnaireItem(
            questionnaire=questionnaire,
            position=position,
            code=spec["code"],
            text=spec["text"],
            translations={language: {"text": texts["text"]} for language, texts in spec_translations.items()},
        )
        item.full_clean()
        item.save()
        if len(spec["options"]) != questionnaire.max_item_score + 1:
            raise IntakeError(
                _("Item “%(code)s” needs %(count)s options (scores 0 to max).")
                % {"code": spec["code"], "count": questionnaire.max_item_score + 1}
            )
        options = [
            QuestionnaireOption(
                item=item,
                score=score,
                text=text,
                translations={
                    language: {"text": texts["options"][score]}
                    for language, texts in spec_translations.items()
                    if len(texts.get("options") or ()) > score
                },
            )
            for score, text in enumerate(spec["options"])
        ]
        for option in options:
            option.full_clean(exclude=["item"])
        QuestionnaireOption.objects.bulk_create(options)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=questionnaire, request=request, detail="loaded")
    return questionnaire
