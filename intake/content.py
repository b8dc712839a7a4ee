"""The fixed wording of the intake form: steps, body regions, health history and red-flag questions.

Red flags follow DOMAIN.md (NCBI Bookshelf NBK52120; AHA/ASA statement 2014, PubMed 25104849).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    slug: str
    title: str


STEPS: tuple[Step, ...] = (
    Step("about", "About you"),
    Step("visit", "Your visit"),
    Step("health", "Health history"),
    Step("redflags", "Important symptoms"),
    Step("outcome", "How your pain affects daily life"),
    Step("review", "Check and submit"),
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
    label: str
    view: str  # front | back
    shape: str  # "rect x y w h" or "ellipse cx cy rx ry", in the 0 0 120 260 figure box


# The figure faces the viewer on the front view, so the patient's right side is on the viewer's left.
REGIONS: tuple[Region, ...] = (
    Region("head_front", "Head and face", "front", "ellipse 60 22 16 19"),
    Region("neck_front", "Front of neck", "front", "rect 52 41 16 12"),
    Region("shoulder_front_right", "Right shoulder", "front", "ellipse 33 62 11 9"),
    Region("shoulder_front_left", "Left shoulder", "front", "ellipse 87 62 11 9"),
    Region("chest", "Chest", "front", "rect 44 56 32 36"),
    Region("abdomen", "Abdomen", "front", "rect 44 92 32 30"),
    Region("arm_front_right", "Right arm", "front", "rect 20 72 14 58"),
    Region("arm_front_left", "Left arm", "front", "rect 86 72 14 58"),
    Region("hand_right", "Right wrist and hand", "front", "ellipse 26 140 8 10"),
    Region("hand_left", "Left wrist and hand", "front", "ellipse 94 140 8 10"),
    Region("hip_right", "Right hip and groin", "front", "rect 44 122 16 16"),
    Region("hip_left", "Left hip and groin", "front", "rect 60 122 16 16"),
    Region("thigh_front_right", "Front of right thigh", "front", "rect 44 138 15 44"),
    Region("thigh_front_left", "Front of left thigh", "front", "rect 61 138 15 44"),
    Region("knee_right", "Right knee", "front", "ellipse 51 188 8 7"),
    Region("knee_left", "Left knee", "front", "ellipse 69 188 8 7"),
    Region("shin_right", "Right shin", "front", "rect 45 195 13 42"),
    Region("shin_left", "Left shin", "front", "rect 62 195 13 42"),
    Region("foot_right", "Right ankle and foot", "front", "ellipse 50 245 9 7"),
    Region("foot_left", "Left ankle and foot", "front", "ellipse 70 245 9 7"),
    Region("head_back", "Back of head", "back", "ellipse 60 22 16 19"),
    Region("neck_back", "Back of neck", "back", "rect 52 41 16 12"),
    Region("shoulder_back_left", "Left shoulder blade", "back", "ellipse 36 64 12 10"),
    Region("shoulder_back_right", "Right shoulder blade", "back", "ellipse 84 64 12 10"),
    Region("upper_back", "Upper back", "back", "rect 46 56 28 22"),
    Region("mid_back", "Middle back", "back", "rect 44 78 32 22"),
    Region("low_back", "Low back", "back", "rect 44 100 32 20"),
    Region("buttock_left", "Left buttock", "back", "rect 44 120 16 18"),
    Region("buttock_right", "Right buttock", "back", "rect 60 120 16 18"),
    Region("arm_back_left", "Back of left arm", "back", "rect 20 74 14 56"),
    Region("arm_back_right", "Back of right arm", "back", "rect 86 74 14 56"),
    Region("thigh_back_left", "Back of left thigh", "back", "rect 44 138 15 46"),
    Region("thigh_back_right", "Back of right thigh", "back", "rect 61 138 15 46"),
    Region("calf_left", "Left calf", "back", "rect 45 186 13 50"),
    Region("calf_right", "Right calf", "back", "rect 62 186 13 50"),
    Region("heel_left", "Left heel", "back", "ellipse 51 245 8 7"),
    Region("heel_right", "Right heel", "back", "ellipse 69 245 8 7"),
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
    ("neck", "Neck"),
    ("low_back", "Low back"),
    ("other", "Somewhere else (for example mid back, shoulder, hip)"),
)

CAUSES = (
    ("unknown", "I don't know / came on by itself"),
    ("gradual", "Gradually, over time"),
    ("lifting", "Lifting, bending or twisting"),
    ("fall", "A fall"),
    ("vehicle", "A road or vehicle accident"),
    ("sport", "Sport or exercise"),
    ("work", "At work"),
    ("other", "Something else (describe below)"),
)

HEALTH_CONDITIONS = (
    ("high_blood_pressure", "High blood pressure"),
    ("heart_disease", "Heart disease or stroke"),
    ("diabetes", "Diabetes"),
    ("osteoporosis", "Osteoporosis or low bone density"),
    ("arthritis", "Arthritis"),
    ("blood_clotting", "A bleeding or clotting disorder"),
    ("connective_tissue", "A connective-tissue condition (for example Ehlers-Danlos)"),
    ("migraine", "Migraine or frequent headaches"),
    ("none", "None of these"),
)

PREGNANCY = (
    ("no", "No"),
    ("yes", "Yes"),
    ("unsure", "Not sure"),
    ("not_applicable", "Does not apply to me"),
)

# (code, question, area): area "general" is asked of everyone, "neck" concerns the neck.
RED_FLAGS: tuple[tuple[str, str, str], ...] = (
    (
        "major_trauma",
        "Have you had a serious accident, fall or injury recently (or a minor one with brittle bones)?",
        "general",
    ),
    ("cancer", "Have you ever had cancer?", "general"),
    ("fever_weight_loss", "Have you had a fever, or lost weight without trying, recently?", "general"),
    ("steroids", "Do you take steroid tablets or medicines that lower your immune system?", "general"),
    ("night_pain", "Is your pain worse at night, or does it wake you, whatever position you lie in?", "general"),
    (
        "saddle_bladder",
        "Do you have numbness between your legs or around your bottom, "
        "or new trouble controlling your bladder or bowels?",
        "general",
    ),
    ("leg_weakness", "Are your legs getting weaker, or do you trip or stumble more than before?", "general"),
    ("sudden_headache", "Have you had a sudden, unusual or severe headache or neck pain, unlike any before?", "neck"),
    ("dizziness", "Do you have dizziness, or spells of the room spinning?", "neck"),
    ("double_vision", "Have you had double vision or other changes in your sight?", "neck"),
    ("drop_attacks", "Have you suddenly fallen to the ground without losing consciousness (drop attacks)?", "neck"),
    ("speech_swallow", "Do you have difficulty speaking or swallowing?", "neck"),
    ("nausea", "Have you had unexplained nausea?", "neck"),
    ("numbness", "Do you have numbness or tingling in your face, arms or legs?", "neck"),
)
RED_FLAG_LABELS = {
    "major_trauma": "Recent major trauma (or minor trauma with brittle bones)",
    "cancer": "History of cancer",
    "fever_weight_loss": "Fever or unexplained weight loss",
    "steroids": "Steroid or immunosuppressant use",
    "night_pain": "Night pain",
    "saddle_bladder": "Saddle numbness or new bladder/bowel change (possible cauda equina: emergency referral)",
    "leg_weakness": "Progressive leg weakness",
    "sudden_headache": "Sudden unusual headache or neck pain",
    "dizziness": "Dizziness",
    "double_vision": "Double vision or visual change",
    "drop_attacks": "Drop attacks",
    "speech_swallow": "Difficulty speaking or swallowing",
    "nausea": "Nausea",
    "numbness": "Numbness or tingling",
}


@dataclass(frozen=True)
class Advice:
    """What a patient is told, at once and in plain words (no diagnosis), when they answer yes to `codes`;
    `urgent` answers are also sent to the clinic at once (e-mail and the front desk's day view)."""

    level: str
    heading: str
    text: str
    codes: frozenset[str]
    urgent: bool


# Wording from DOMAIN.md "Red flags that need action before the visit": the F.A.S.T. message of stroke
# associations (AHA/ASA) and the NHS guidance on cauda equina syndrome.
ADVICE: tuple[Advice, ...] = (
    Advice(
        "emergency_now",
        "These can be signs of a stroke",
        "If you have these now, call the emergency number (911 in the US) straight away.",
        frozenset({"sudden_headache", "speech_swallow", "double_vision"}),
        urgent=True,
    ),
    Advice(
        "emergency_today",
        "These need to be seen by a doctor today",
        "Go to an emergency department today; do not wait for this appointment.",
        frozenset({"saddle_bladder", "leg_weakness"}),
        urgent=True,
    ),
    Advice(
        "call_clinic",
        "Please talk to us before your visit",
        "Please call the clinic before your visit, or see your doctor.",
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
