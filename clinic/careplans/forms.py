"""The care plan form: up to three phases, up to three goals, the re-examination, the questionnaire, notes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.models import CarePlan, GoalKind
from clinic.questionnaire_fields import SKIP, item_field

PHASES = 3
GOALS = 3
QUESTIONNAIRES = [("", pgettext_lazy("questionnaire", "None")), ("ndi", _("NDI (neck)")), ("odi", _("ODI (low back)"))]


class CarePlanForm(forms.Form):
    diagnosis = forms.CharField(
        label=_("Diagnosis"),
        required=False,
        max_length=300,
        help_text=_("What the plan treats. A changed diagnosis is a changed plan: the patient accepts it again."),
    )
    re_exam_visit = forms.IntegerField(label=_("Re-examination at visit"), required=False, min_value=1, max_value=500)
    re_exam_date = forms.DateField(
        label=_("Re-examination on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    questionnaire_code = forms.ChoiceField(label=_("Questionnaire to repeat"), choices=QUESTIONNAIRES, required=False)
    questionnaire_every_visits = forms.IntegerField(
        label=_("Every N visits"), required=False, min_value=1, max_value=100
    )
    questionnaire_every_weeks = forms.IntegerField(label=_("Every N weeks"), required=False, min_value=1, max_value=52)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, plan: CarePlan | None = None, **kwargs):
        if plan is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(plan)
        super().__init__(*args, **kwargs)
        for n in range(1, PHASES + 1):
            self.fields[f"phase{n}_visits_per_week"] = forms.IntegerField(
                label=_("Phase %(n)s: visits per week") % {"n": n}, required=False, min_value=1, max_value=7
            )
            self.fields[f"phase{n}_weeks"] = forms.IntegerField(
                label=_("Phase %(n)s: weeks") % {"n": n}, required=False, min_value=1, max_value=52
            )
        for n in range(1, GOALS + 1):
            self.fields[f"goal{n}_kind"] = forms.ChoiceField(
                label=_("Goal %(n)s") % {"n": n}, choices=[("", "—"), *GoalKind.choices], required=False
            )
            self.fields[f"goal{n}_target"] = forms.IntegerField(
                label=_("Goal %(n)s: target") % {"n": n}, required=False, min_value=0, max_value=100
            )
            self.fields[f"goal{n}_text"] = forms.CharField(
                label=_("Goal %(n)s: text") % {"n": n}, required=False, max_length=200
            )

    @staticmethod
    def initial_from(plan: CarePlan) -> dict:
        # One field each for the plan's single values; phases and goals are the numbered fields below.
        initial = {name: getattr(plan, name) for name in CarePlan.PLAN_FIELDS if name not in ("phases", "goals")}
        for n, phase in enumerate(plan.phases, start=1):
            initial[f"phase{n}_visits_per_week"] = phase["visits_per_week"]
            initial[f"phase{n}_weeks"] = phase["weeks"]
        for n, goal in enumerate(plan.goals, start=1):
            initial[f"goal{n}_kind"] = goal.get("kind", "")
            initial[f"goal{n}_target"] = goal.get("target")
            initial[f"goal{n}_text"] = goal.get("text", "")
        return initial

    def phase_fields(self):
        return [(self[f"phase{n}_visits_per_week"], self[f"phase{n}_weeks"]) for n in range(1, PHASES + 1)]

    def goal_fields(self):
        return [(self[f"goal{n}_kind"], self[f"goal{n}_target"], self[f"goal{n}_text"]) for n in range(1, GOALS + 1)]

    def clean(self):
        data = super().clean()
        phases = []
        for n in range(1, PHASES + 1):
            per_week, weeks = data.get(f"phase{n}_visits_per_week"), data.get(f"phase{n}_weeks")
            if per_week and weeks:
                phases.append({"visits_per_week": per_week, "weeks": weeks})
            elif per_week or weeks:
                self.add_error(f"phase{n}_weeks", _("Give both the visits per week and the number of weeks."))
        if not phases and not self.errors:
            self.add_error(
                "phase1_visits_per_week", _("Give at least one phase: visits per week and for how many weeks.")
            )
        goals = []
        for n in range(1, GOALS + 1):
            kind, target, text = data.get(f"goal{n}_kind"), data.get(f"goal{n}_target"), data.get(f"goal{n}_text")
            if not kind:
                continue
            if kind == GoalKind.TEXT:
                if not text:
                    self.add_error(f"goal{n}_text", _("Describe the goal."))
                goals.append({"kind": kind, "text": text})
            else:
                if target is None:
                    self.add_error(f"goal{n}_target", _("Give the number to reach."))
                elif kind == GoalKind.PAIN_AT_MOST and target > 10:
                    self.add_error(f"goal{n}_target", _("Pain is rated 0 to 10."))
                goals.append({"kind": kind, "target": target})
        if any(g["kind"] == GoalKind.QUESTIONNAIRE_BELOW for g in goals) and not data.get("questionnaire_code"):
            self.add_error("questionnaire_code", _("Choose the questionnaire the goal is measured with."))
        data["phases"], data["goals"] = phases, goals
        return data

    def plan_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "diagnosis": (d.get("diagnosis") or "").strip(),
            "phases": d["phases"],
            "goals": d["goals"],
            "re_exam_visit": d.get("re_exam_visit"),
            "re_exam_date": d.get("re_exam_date"),
            "questionnaire_code": d.get("questionnaire_code") or "",
            "questionnaire_every_visits": d.get("questionnaire_every_visits"),
            "questionnaire_every_weeks": d.get("questionnaire_every_weeks"),
            "notes": d.get("notes") or "",
        }


class DiscontinueForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PlanQuestionnaireForm(forms.Form):
    """The plan's questionnaire as the patient answers it from the e-mailed link, as the intake asks it: one radio
    group per item, and every item needs an answer or a deliberate "Skip this question" (a question passed over
    by mistake is asked for next to it); then the choice to send it with more questions skipped than the
    questionnaire's missing-item rule allows (`Questionnaire.max_missing_items`), kept "not scored"."""

    send_incomplete = forms.BooleanField(
        label=_("I cannot answer the questions I skipped: send it as it is."), required=False
    )

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.item_codes = []
        for item in questionnaire.items.all():
            self.fields[f"item_{item.code}"] = item_field(item)
            self.item_codes.append(item.code)
        # The choice comes last, under the questions.
        self.order_fields([*(f"item_{code}" for code in self.item_codes), "send_incomplete"])

    def item_fields(self):
        return [self[f"item_{code}"] for code in self.item_codes]

    def answers(self) -> dict:
        """Item code -> score; None for a skipped item (scored as not answered)."""
        values = {code: self.cleaned_data.get(f"item_{code}") for code in self.item_codes}
        return {code: None if value == SKIP else value for code, value in values.items()}
