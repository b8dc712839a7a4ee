"""Our own wording of two outcome questionnaires modelled on the NDI and the ODI.

The official Neck Disability Index (Vernon & Mior) and Oswestry Disability Index (Fairbank) texts may be
licensed; these items are written by us, follow the same structure (10 items scored 0-5) and the same
scoring rule. A clinic with a licence loads the official wording instead (`questionnaire_load`).
"""

from __future__ import annotations


def _item(code: str, text: str, *options: str) -> dict:
    assert len(options) == 6, code
    return {"code": code, "text": text, "options": list(options)}


COMMON_PAIN = _item(
    "pain",
    "How strong is your pain right now?",
    "I have no pain at the moment.",
    "The pain is very mild.",
    "The pain is moderate.",
    "The pain is fairly severe.",
    "The pain is very severe.",
    "The pain is the worst I can imagine.",
)
PERSONAL_CARE = _item(
    "personal_care",
    "Looking after yourself (washing, dressing)",
    "I manage normally, without extra pain.",
    "I manage normally, but it is painful.",
    "It is painful, and I am slow and careful.",
    "I need some help but manage most of it.",
    "I need help every day with most of it.",
    "I cannot get dressed or wash without great difficulty, and stay in bed.",
)
LIFTING = _item(
    "lifting",
    "Lifting things",
    "I can lift heavy things without extra pain.",
    "I can lift heavy things, but it adds pain.",
    "Pain stops me lifting heavy things off the floor, but I manage if they are placed conveniently.",
    "Pain stops me lifting heavy things, but I manage light to medium ones if they are placed conveniently.",
    "I can lift only very light things.",
    "I cannot lift or carry anything.",
)
SLEEPING = _item(
    "sleeping",
    "Sleeping",
    "My sleep is not disturbed by pain.",
    "My sleep is slightly disturbed (less than 1 hour awake).",
    "My sleep is mildly disturbed (1 to 2 hours awake).",
    "My sleep is moderately disturbed (2 to 3 hours awake).",
    "My sleep is greatly disturbed (3 to 5 hours awake).",
    "My sleep is completely disturbed (5 to 7 hours awake).",
)

NDI = {
    "code": "ndi",
    "title": "Neck function questionnaire (NDI-style)",
    "region": "neck",
    "instructions": "For each question, choose the one answer that best describes your neck problem today. "
    "If a question does not apply to you, choose “Skip this question”.",
    "max_item_score": 5,
    # Percent bands after Vernon (2008, J Manipulative Physiol Ther 31:491), converted from raw scores.
    "bands": [
        {"max": 8, "label": "No disability"},
        {"max": 28, "label": "Mild"},
        {"max": 48, "label": "Moderate"},
        {"max": 68, "label": "Severe"},
        {"max": 100, "label": "Complete"},
    ],
    "source_note": "Items written by the clinic in the structure of the NDI; bands after Vernon 2008.",
    # About 5 points of 50: the smallest change beyond measurement error the scoring guides quote.
    "meaningful_change": 10,
    # The scoring guides score a form with one item missed (out of the rest); with more, it is not scored.
    "max_missing_items": 1,
    "items": [
        COMMON_PAIN,
        PERSONAL_CARE,
        LIFTING,
        _item(
            "reading",
            "Reading",
            "I can read as much as I want with no neck pain.",
            "I can read as much as I want with slight neck pain.",
            "I can read as much as I want with moderate neck pain.",
            "Moderate neck pain stops me reading as much as I want.",
            "Severe neck pain stops me reading as much as I want.",
            "I cannot read at all.",
        ),
        _item(
            "headaches",
            "Headaches",
            "I have no headaches.",
            "I have slight headaches now and then.",
            "I have moderate headaches now and then.",
            "I have moderate headaches often.",
            "I have severe headaches often.",
            "I have headaches almost all the time.",
        ),
        _item(
            "concentration",
            "Concentrating",
            "I can concentrate fully without difficulty.",
            "I can concentrate fully with slight difficulty.",
            "I have some difficulty concentrating.",
            "I have a lot of difficulty concentrating.",
            "I have great difficulty concentrating.",
            "I cannot concentrate at all.",
        ),
        _item(
            "work",
            "Work (paid or at home)",
            "I can do as much work as I want.",
            "I can do my usual work, but no more.",
            "I can do most of my usual work, but no more.",
            "I cannot do my usual work.",
            "I can hardly do any work.",
            "I cannot do any work at all.",
        ),
        _item(
            "driving",
            "Driving (skip if you do not drive)",
            "I can drive without neck pain.",
            "I can drive as long as I want with slight neck pain.",
            "I can drive as long as I want with moderate neck pain.",
            "Moderate neck pain stops me driving as long as I want.",
            "I can hardly drive because of severe neck pain.",
            "I cannot drive at all.",
        ),
        SLEEPING,
        _item(
            "recreation",
            "Leisure activities",
            "I can do all my leisure activities with no neck pain.",
            "I can do all my leisure activities with some neck pain.",
            "I can do most, but not all, of my usual leisure activities.",
            "I can do only a few of my usual leisure activities.",
            "I can hardly do any leisure activities.",
            "I cannot do any leisure activities.",
        ),
    ],
}

ODI = {
    "code": "odi",
    "title": "Low back function questionnaire (ODI-style)",
    "region": "low_back",
    "instructions": "For each question, choose the one answer that best describes your back problem today. "
    "If a question does not apply to you, choose “Skip this question”.",
    "max_item_score": 5,
    "bands": [
        {"max": 20, "label": "Minimal disability"},
        {"max": 40, "label": "Moderate disability"},
        {"max": 60, "label": "Severe disability"},
        {"max": 80, "label": "Crippled"},
        {"max": 100, "label": "Bed-bound"},
    ],
    "source_note": "Items written by the clinic in the structure of the ODI; bands as published for the ODI.",
    # 10 percentage points (Ostelo et al., Spine 2008, consensus on low back pain).
    "meaningful_change": 10,
    # The scoring guides score a form with one item missed (out of the rest); with more, it is not scored.
    "max_missing_items": 1,
    "items": [
        COMMON_PAIN,
        PERSONAL_CARE,
        LIFTING,
        _item(
            "walking",
            "Walking",
            "Pain does not stop me walking any distance.",
            "Pain stops me walking more than about 1.5 km (1 mile).",
            "Pain stops me walking more than about 800 m (half a mile).",
            "Pain stops me walking more than about 100 m.",
            "I can walk only with a stick or crutches.",
            "I am in bed most of the time.",
        ),
        _item(
            "sitting",
            "Sitting",
            "I can sit in any chair as long as I like.",
            "I can sit in my favourite chair as long as I like.",
            "Pain stops me sitting for more than 1 hour.",
            "Pain stops me sitting for more than 30 minutes.",
            "Pain stops me sitting for more than 10 minutes.",
            "Pain stops me sitting at all.",
        ),
        _item(
            "standing",
            "Standing",
            "I can stand as long as I want without extra pain.",
            "I can stand as long as I want, but it adds pain.",
            "Pain stops me standing for more than 1 hour.",
            "Pain stops me standing for more than 30 minutes.",
            "Pain stops me standing for more than 10 minutes.",
            "Pain stops me standing at all.",
        ),
        SLEEPING,
        _item(
            "sex_life",
            "Sex life (skip if it does not apply)",
            "My sex life is normal and causes no extra pain.",
            "My sex life is normal but causes some extra pain.",
            "My sex life is nearly normal but is very painful.",
            "My sex life is severely restricted by pain.",
            "My sex life is nearly absent because of pain.",
            "Pain prevents any sex life at all.",
        ),
        _item(
            "social_life",
            "Social life",
            "My social life is normal and causes no extra pain.",
            "My social life is normal but increases the pain.",
            "Pain limits only my more energetic interests, such as sport.",
            "Pain has restricted my social life and I go out less often.",
            "Pain has restricted my social life to my home.",
            "I have no social life because of pain.",
        ),
        _item(
            "travelling",
            "Travelling",
            "I can travel anywhere without pain.",
            "I can travel anywhere, but it adds pain.",
            "Pain is bad, but I manage journeys over 2 hours.",
            "Pain restricts me to journeys of less than 1 hour.",
            "Pain restricts me to short necessary journeys under 30 minutes.",
            "Pain prevents me from travelling except to receive treatment.",
        ),
    ],
}

DEFINITIONS = (NDI, ODI)
