"""The fixed wording of the intake form: steps, body regions, health history and red-flag questions.

Red flags follow DOMAIN.md (NCBI Bookshelf NBK52120; AHA/ASA statement 2014, PubMed 25104849).

Languages: the red-flag questions and what the patient is told about them are clinical content, so each carries
its own Spanish text here (`words(en, es=...)`, shown in the active language, English when a translation is
missing) and a change of wording is reviewed with the clinical text beside it. The clinic's labels for the
practitioner (`RED_FLAG_LABELS`) and the plain interface lists (steps, body regions, causes, conditions) are
interface strings, translated through the catalog (`locale/`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from intake.languages import words


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise


STEPS: tuple[Step, ...] = (
    Step("about", _("About you")),
    Step("visit", _("Your visit")),
    Step("health", _("Health history")),
    Step("redflags", _("Important symptoms")),
    Step("outcome", _("How your pain affects daily life")),
    Step("review", _("Check and submit")),
)
STEP_SLUGS = tuple(s.slug for s in STEPS)
# Steps whose answers must be valid before the intake can be submitted.
REQUIRED_STEPS = ("about", "visit", "health", "redflags", "outcome")


def step_by_slug(slug: str) -> Step | None:
    return next((s for s in STEPS if s.slug == slug), None)


def next_step(slug: str) -> str:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[min(index + 1, len(STEP_SLUGS) - 1)]


def previous_step(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index - 1] if index else None


@dataclass(frozen=True)
class Region:
    code: str
    label: str | Promise
    view: str  # front | back
    shape: str  # "rect x y w h" or "ellipse cx cy rx ry", in the 0 0 120 260 figure box


# The figure faces the viewer on the front view, so the patient's right side is on the viewer's left.
REGIONS: tuple[Region, ...] = (
    Region("head_front", _("Head and face"), "front", "ellipse 60 22 16 19"),
    Region("neck_front", _("Front of neck"), "front", "rect 52 41 16 12"),
    Region("shoulder_front_right", _("Right shoulder"), "front", "ellipse 33 62 11 9"),
    Region("shoulder_front_left", _("Left shoulder"), "front", "ellipse 87 62 11 9"),
    Region("chest", _("Chest"), "front", "rect 44 56 32 36"),
    Region("abdomen", _("Abdomen"), "front", "rect 44 92 32 30"),
    Region("arm_front_right", _("Right arm"), "front", "rect 20 72 14 58"),
    Region("arm_front_left", _("Left arm"), "front", "rect 86 72 14 58"),
    Region("hand_right", _("Right wrist and hand"), "front", "ellipse 26 140 8 10"),
    Region("hand_left", _("Left wrist and hand"), "front", "ellipse 94 140 8 10"),
    Region("hip_right", _("Right hip and groin"), "front", "rect 44 122 16 16"),
    Region("hip_left", _("Left hip and groin"), "front", "rect 60 122 16 16"),
    Region("thigh_front_right", _("Front of right thigh"), "front", "rect 44 138 15 44"),
    Region("thigh_front_left", _("Front of left thigh"), "front", "rect 61 138 15 44"),
    Region("knee_right", _("Right knee"), "front", "ellipse 51 188 8 7"),
    Region("knee_left", _("Left knee"), "front", "ellipse 69 188 8 7"),
    Region("shin_right", _("Right shin"), "front", "rect 45 195 13 42"),
    Region("shin_left", _("Left shin"), "front", "rect 62 195 13 42"),
    Region("foot_right", _("Right ankle and foot"), "front", "ellipse 50 245 9 7"),
    Region("foot_left", _("Left ankle and foot"), "front", "ellipse 70 245 9 7"),
    Region("head_back", _("Back of head"), "back", "ellipse 60 22 16 19"),
    Region("neck_back", _("Back of neck"), "back", "rect 52 41 16 12"),
    Region("shoulder_back_left", _("Left shoulder blade"), "back", "ellipse 36 64 12 10"),
    Region("shoulder_back_right", _("Right shoulder blade"), "back", "ellipse 84 64 12 10"),
    Region("upper_back", _("Upper back"), "back", "rect 46 56 28 22"),
    Region("mid_back", _("Middle back"), "back", "rect 44 78 32 22"),
    Region("low_back", _("Low back"), "back", "rect 44 100 32 20"),
    Region("buttock_left", _("Left buttock"), "back", "rect 44 120 16 18"),
    Region("buttock_right", _("Right buttock"), "back", "rect 60 120 16 18"),
    Region("arm_back_left", _("Back of left arm"), "back", "rect 20 74 14 56"),
    Region("arm_back_right", _("Back of right arm"), "back", "rect 86 74 14 56"),
    Region("thigh_back_left", _("Back of left thigh"), "back", "rect 44 138 15 46"),
    Region("thigh_back_right", _("Back of right thigh"), "back", "rect 61 138 15 46"),
    Region("calf_left", _("Left calf"), "back", "rect 45 186 13 50"),
    Region("calf_right", _("Right calf"), "back", "rect 62 186 13 50"),
    Region("heel_left", _("Left heel"), "back", "ellipse 51 245 8 7"),
    Region("heel_right", _("Right heel"), "back", "ellipse 69 245 8 7"),
)
REGION_BY_CODE = {r.code: r for r in REGIONS}


def region_svg(region: Region) -> dict:
    """The SVG element name and attributes that draw a region."""
    kind, *numbers = region.shape.split()
    if kind == "rect":
        x, y, w, h = numbers
        return {"tag": "rect", "attrs": {"x": x, "y": y, "width": w, "height": h, "rx": "4"}}
    cx, cy, rx, ry = numbers
    return {"tag": "ellipse", "attrs": {"cx": cx, "cy": cy, "rx": rx, "ry": ry}}


COMPLAINT_AREAS = (
    ("neck", _("Neck")),
    ("low_back", _("Low back")),
    ("other", _("Somewhere else (for example mid back, shoulder, hip)")),
)

CAUSES = (
    ("unknown", _("I don't know / came on by itself")),
    ("gradual", _("Gradually, over time")),
    ("lifting", _("Lifting, bending or twisting")),
    ("fall", _("A fall")),
    ("vehicle", _("A road or vehicle accident")),
    ("sport", _("Sport or exercise")),
    ("work", _("At work")),
    ("other", _("Something else (describe below)")),
)

HEALTH_CONDITIONS = (
    ("high_blood_pressure", _("High blood pressure")),
    ("heart_disease", _("Heart disease or stroke")),
    ("diabetes", _("Diabetes")),
    ("osteoporosis", _("Osteoporosis or low bone density")),
    ("arthritis", _("Arthritis")),
    ("blood_clotting", _("A bleeding or clotting disorder")),
    ("connective_tissue", _("A connective-tissue condition (for example Ehlers-Danlos)")),
    ("migraine", _("Migraine or frequent headaches")),
    ("none", _("None of these")),
)

PREGNANCY = (
    ("no", _("No")),
    ("yes", _("Yes")),
    ("unsure", _("Not sure")),
    ("not_applicable", _("Does not apply to me")),
)

# (code, question, area): area "general" is asked of everyone, "neck" concerns the neck. The question as the patient
# reads it, in each language (our own Spanish wording, reviewed with the English beside it).
RED_FLAGS: tuple[tuple[str, str, str], ...] = (
    (
        "major_trauma",
        words(
            "Have you had a serious accident, fall or injury recently (or a minor one with brittle bones)?",
            es="¿Ha tenido hace poco un accidente, una caída o una lesión grave (o una leve, si tiene los huesos "
            "frágiles)?",
        ),
        "general",
    ),
    ("cancer", words("Have you ever had cancer?", es="¿Ha tenido cáncer alguna vez?"), "general"),
    (
        "fever_weight_loss",
        words(
            "Have you had a fever, or lost weight without trying, recently?",
            es="¿Ha tenido fiebre últimamente, o ha bajado de peso sin proponérselo?",
        ),
        "general",
    ),
    (
        "steroids",
        words(
            "Do you take steroid tablets or medicines that lower your immune system?",
            es="¿Toma pastillas de corticoides (esteroides) o medicamentos que bajan sus defensas?",
        ),
        "general",
    ),
    (
        "night_pain",
        words(
            "Is your pain worse at night, or does it wake you, whatever position you lie in?",
            es="¿El dolor empeora por la noche, o lo despierta, se acueste en la postura que se acueste?",
        ),
        "general",
    ),
    (
        "saddle_bladder",
        words(
            "Do you have numbness between your legs or around your bottom, "
            "or new trouble controlling your bladder or bowels?",
            es="¿Tiene adormecimiento entre las piernas o alrededor de las nalgas, o problemas nuevos para "
            "controlar la orina o el intestino?",
        ),
        "general",
    ),
    (
        "leg_weakness",
        words(
            "Are your legs getting weaker, or do you trip or stumble more than before?",
            es="¿Siente las piernas cada vez más débiles, o se tropieza más que antes?",
        ),
        "general",
    ),
    (
        "sudden_headache",
        words(
            "Have you had a sudden, unusual or severe headache or neck pain, unlike any before?",
            es="¿Ha tenido un dolor de cabeza o de cuello repentino, extraño o muy fuerte, distinto de cualquier "
            "otro que haya tenido?",
        ),
        "neck",
    ),
    (
        "dizziness",
        words(
            "Do you have dizziness, or spells of the room spinning?",
            es="¿Tiene mareos, o momentos en que siente que todo le da vueltas?",
        ),
        "neck",
    ),
    (
        "double_vision",
        words(
            "Have you had double vision or other changes in your sight?",
            es="¿Ha visto doble o ha notado otros cambios en la vista?",
        ),
        "neck",
    ),
    (
        "drop_attacks",
        words(
            "Have you suddenly fallen to the ground without losing consciousness (drop attacks)?",
            es="¿Se ha caído de repente al suelo sin perder el conocimiento (caídas súbitas)?",
        ),
        "neck",
    ),
    (
        "speech_swallow",
        words("Do you have difficulty speaking or swallowing?", es="¿Tiene dificultad para hablar o para tragar?"),
        "neck",
    ),
    ("nausea", words("Have you had unexplained nausea?", es="¿Ha tenido náuseas sin una causa clara?"), "neck"),
    (
        "numbness",
        words(
            "Do you have numbness or tingling in your face, arms or legs?",
            es="¿Tiene adormecimiento u hormigueo en la cara, los brazos o las piernas?",
        ),
        "neck",
    ),
)
# The clinic's labels, for the practitioner (staff pages and the practitioner's urgent e-mail, in English).
RED_FLAG_LABELS = {
    "major_trauma": _("Recent major trauma (or minor trauma with brittle bones)"),
    "cancer": _("History of cancer"),
    "fever_weight_loss": _("Fever or unexplained weight loss"),
    "steroids": _("Steroid or immunosuppressant use"),
    "night_pain": _("Night pain"),
    "saddle_bladder": _("Saddle numbness or new bladder/bowel change (possible cauda equina: emergency referral)"),
    "leg_weakness": _("Progressive leg weakness"),
    "sudden_headache": _("Sudden unusual headache or neck pain"),
    "dizziness": _("Dizziness"),
    "double_vision": _("Double vision or visual change"),
    "drop_attacks": _("Drop attacks"),
    "speech_swallow": _("Difficulty speaking or swallowing"),
    "nausea": _("Nausea"),
    "numbness": _("Numbness or tingling"),
}


@dataclass(frozen=True)
class Advice:
    """What a patient is told, at once and in plain words (no diagnosis), when they answer yes to `codes`;
    `urgent` answers are also sent to the clinic at once (e-mail and the front desk's day view)."""

    level: str
    heading: str | Promise
    text: str | Promise
    codes: frozenset[str]
    urgent: bool


# Wording from DOMAIN.md "Red flags that need action before the visit": the F.A.S.T. message of stroke
# associations (AHA/ASA) and the NHS guidance on cauda equina syndrome.
ADVICE: tuple[Advice, ...] = (
    Advice(
        "emergency_now",
        words("These can be signs of a stroke", es="Pueden ser señales de un derrame cerebral"),
        words(
            "If you have these now, call the emergency number (911 in the US) straight away.",
            es="Si tiene estos síntomas ahora, llame de inmediato al número de emergencias (911 en los EE. UU.).",
        ),
        frozenset({"sudden_headache", "speech_swallow", "double_vision"}),
        urgent=True,
    ),
    Advice(
        "emergency_today",
        words("These need to be seen by a doctor today", es="Un médico debe revisar esto hoy mismo"),
        words(
            "Go to an emergency department today; do not wait for this appointment.",
            es="Vaya hoy a una sala de emergencias; no espere a esta cita.",
        ),
        frozenset({"saddle_bladder", "leg_weakness"}),
        urgent=True,
    ),
    Advice(
        "call_clinic",
        words("Please talk to us before your visit", es="Hable con nosotros antes de su visita"),
        words(
            "Please call the clinic before your visit, or see your doctor.",
            es="Llame a la clínica antes de su visita, o consulte a su médico.",
        ),
        frozenset({"major_trauma", "cancer", "fever_weight_loss", "drop_attacks"}),
        urgent=False,
    ),
)
ADVICE_BY_CODE = {code: advice for advice in ADVICE for code in advice.codes}
# Answers that need help now, not at the next visit: the patient is told on the spot and the clinic at once.
URGENT_RED_FLAGS = frozenset(code for advice in ADVICE if advice.urgent for code in advice.codes)
RED_FLAG_QUESTIONS = {code: question for code, question, _area in RED_FLAGS}


def advice_for(answers: dict) -> list[dict]:
    """The advice a patient's red-flag answers call for, most urgent first, each with the questions they
    answered yes to (in their own words, as they were asked)."""
    found = []
    for advice in ADVICE:
        questions = [q for code, q, _a in RED_FLAGS if code in advice.codes and answers.get(code) == "yes"]
        if questions:
            found.append({"advice": advice, "questions": questions})
    return found
