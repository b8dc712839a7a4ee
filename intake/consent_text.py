"""The default consent wording shipped with the demo, written by us from DOMAIN.md.

It follows PARQ (procedures, alternatives, risks, questions), makes no therapeutic claims and prints no
unsourced figures. A clinic replaces it with its own reviewed wording as a new version.
"""

from __future__ import annotations

TITLE = "Consent to chiropractic assessment and care"

RISKS = [
    {
        "code": "soreness",
        "label": "Temporary soreness, stiffness or a short-lived increase in symptoms after treatment. "
        "This is common and usually settles within a day or two.",
    },
    {"code": "sprain_strain", "label": "Sprain or strain of muscles or ligaments (uncommon)."},
    {"code": "rib_fracture", "label": "Rib fracture (rare; more likely with brittle bones such as osteoporosis)."},
    {"code": "disc", "label": "Disc injury, or worsening of an existing disc problem (rare)."},
    {
        "code": "neck_artery",
        "label": "Neck-injury risk: a tear in an artery of the neck (cervical artery dissection), which can lead "
        "to stroke. This is rare and published estimates vary widely. A link with neck manipulation has been "
        "reported; it is not proven that manipulation causes it.",
    },
]

_PARAGRAPHS: list[list[str]] = [
    [
        ("Please read all of this before you sign. Ask us about anything that is not clear."),
    ],
    [
        ("1. What care involves (procedures)"),
        (
            "Your practitioner will first take your history and examine you. If care is suitable, it may use "
            "Sacro-Occipital Technique (SOT): checking signs such as leg length, muscle tension and tender "
            'points; placing padded wedges ("blocks") under the pelvis while you lie face down or face up, '
            "usually for a few minutes; gentle pressure or adjustments by hand to the spine, pelvis, skull "
            "or limbs; and reflex and soft-tissue work. Some adjustments use a quick, small movement (a "
            "thrust); others do not. Procedures on the neck (cervical procedures) are a separate choice "
            "below: you may agree to care and still say no to any procedure on your neck."
        ),
    ],
    [
        ("2. Other options (alternatives)"),
        (
            "You do not have to have chiropractic care. Other options include no treatment, rest and "
            "self-care, exercise, care from your family doctor, physiotherapy, massage, medicines, or "
            "referral to a medical specialist. Your practitioner will refer you to another professional when "
            "your history or examination calls for it. We cannot promise any particular result from care."
        ),
    ],
    [
        ("3. Risks"),
        (
            "Like any physical treatment, chiropractic care carries risks. Those listed below are the ones "
            "commonly disclosed; you will be asked to confirm each one separately."
        ),
        (
            "- Common: temporary soreness, stiffness or a short-lived increase in symptoms, usually settling "
            "within a day or two."
        ),
        (
            "- Uncommon or rare: sprain or strain of muscles or ligaments; rib fracture (more likely with "
            "brittle bones); disc injury or worsening of an existing disc problem."
        ),
        (
            "- Neck: a tear in an artery of the neck (vertebral or carotid artery dissection), which can "
            "lead to stroke. This is rare, and published estimates of how rare vary very widely. An "
            "association between neck manipulation and these tears has been reported; it has not been shown "
            "that manipulation causes them, and an early tear can itself cause the neck pain or headache "
            "that leads people to seek care. Tell your practitioner at once about any sudden severe "
            "headache, dizziness, double vision, difficulty speaking or swallowing, or numbness, before or "
            "after treatment."
        ),
        (
            "Sources: American Heart Association / American Stroke Association scientific statement, 2014 "
            "(PubMed 25104849); Cassidy and others, 2008 (PMC2271108); Swait and Finch, 2017 review (PMC5719861)."
        ),
    ],
    [
        ("4. Questions, refusing and withdrawing"),
        (
            "You may ask questions at any time, before or during care, and your practitioner will discuss "
            "this consent with you in person. You may refuse any procedure, and you may withdraw your "
            "consent at any time, from your account or by telling us; withdrawing does not affect your right "
            "to other care. We will ask you to read and sign again when this document changes, or when your "
            "diagnosis or care plan changes."
        ),
    ],
    [
        ("5. Your information"),
        (
            "What you tell us and what we find is kept in your clinical record, which only the clinic's "
            "staff can read, each according to their role."
        ),
    ],
    [
        (
            "By signing, you confirm that you have read this document to the end, that you understand the "
            "risks listed, and that you agree to assessment and care on these terms, with the choice about "
            "neck procedures you make below."
        ),
    ],
]
# Paragraphs are separated by a blank line; lines inside one paragraph (a heading, list items) by a newline.
_BODY = "\n\n".join("\n".join(lines) for lines in _PARAGRAPHS) + "\n"

V1_TEXT = _BODY
# Version 2 adds the statement that a parent or guardian signs for a minor and stays informed.
V2_TEXT = _BODY.replace(
    "5. Your information",
    "5. Minors\nFor a patient below the age of consent, a parent or legal guardian reads and signs this "
    "document, and may be present during care.\n\n6. Your information",
)
