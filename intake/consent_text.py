"""The default consent wording shipped with the demo, written by us from DOMAIN.md.

It follows PARQ (procedures, alternatives, risks, questions), makes no therapeutic claims and prints no
unsourced figures. A clinic replaces it with its own reviewed wording as a new version.
"""

from __future__ import annotations

TITLE = "Consent to chiropractic assessment and care"

# The risks a patient confirms one by one, in this order; each language's version labels the same codes.
RISK_CODES = ("soreness", "sprain_strain", "rib_fracture", "disc", "neck_artery")


def _risks(*labels: str) -> list[dict]:
    """The risks as a version stores them, [{"code": ..., "label": ...}]: one label per code of RISK_CODES."""
    return [{"code": code, "label": label} for code, label in zip(RISK_CODES, labels, strict=True)]


RISKS = _risks(
    "Temporary soreness, stiffness or a short-lived increase in symptoms after treatment. "
    "This is common and usually settles within a day or two.",
    "Sprain or strain of muscles or ligaments (uncommon).",
    "Rib fracture (rare; more likely with brittle bones such as osteoporosis).",
    "Disc injury, or worsening of an existing disc problem (rare).",
    "Neck-injury risk: a tear in an artery of the neck (cervical artery dissection), which can lead "
    "to stroke. This is rare and published estimates vary widely. A link with neck manipulation has been "
    "reported; it is not proven that manipulation causes it.",
)

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


# --- Spanish: a translation for the demo, not yet approved by the clinic -------------------------------------------
# Our own Spanish wording of version 2 above (usted, for patients in the US). The demo seeds it as its own version
# with `translation_note` saying so; a real clinic has its translated consent reviewed and approves it itself.
ES_TRANSLATION_NOTE = (
    "Demo translation of version 2, not yet approved by the clinic: a real clinic has its own translated consent "
    "reviewed and approves it before patients sign it."
)
ES_TITLE = "Consentimiento para la evaluación y la atención quiropráctica"

ES_RISKS = _risks(
    "Dolor, rigidez o un aumento pasajero de los síntomas después del tratamiento. Es frecuente y "
    "suele pasar en uno o dos días.",
    "Esguince o distensión de músculos o ligamentos (poco frecuente).",
    "Fractura de costilla (rara; más probable si los huesos son frágiles, por ejemplo por osteoporosis).",
    "Lesión de un disco de la columna, o empeoramiento de un problema de disco que ya tenga (raro).",
    "Riesgo de lesión en el cuello: un desgarro en una arteria del cuello (disección de la arteria "
    "cervical), que puede causar un derrame cerebral. Es raro y las cifras publicadas varían mucho. Se ha "
    "descrito una relación con la manipulación del cuello; no está demostrado que la manipulación lo cause.",
)

_ES_PARAGRAPHS: list[list[str]] = [
    ["Lea todo este documento antes de firmar. Pregúntenos cualquier cosa que no esté clara."],
    [
        "1. En qué consiste la atención (procedimientos)",
        "Primero, su profesional le preguntará por su historia de salud y le hará un examen. Si la atención es "
        "adecuada para usted, puede usar la Técnica Sacro-Occipital (SOT): revisar señales como la longitud de las "
        'piernas, la tensión muscular y los puntos sensibles; colocar cuñas acolchadas ("bloques") bajo la pelvis '
        "mientras usted está boca abajo o boca arriba, normalmente durante unos minutos; presión suave o ajustes con "
        "las manos en la columna, la pelvis, el cráneo o las extremidades; y trabajo reflejo y de tejidos blandos. "
        "Algunos ajustes usan un movimiento rápido y pequeño (un impulso); otros no. Los procedimientos en el cuello "
        "(procedimientos cervicales) son una decisión aparte, más abajo: puede aceptar la atención y aun así decir "
        "que no a cualquier procedimiento en el cuello.",
    ],
    [
        "2. Otras opciones (alternativas)",
        "La atención quiropráctica es opcional. Otras opciones son no recibir tratamiento, el descanso y el "
        "cuidado en casa, el ejercicio, la atención de su médico de familia, la fisioterapia, los masajes, los "
        "medicamentos o una consulta con un médico especialista. Su profesional le enviará a otro profesional "
        "cuando su historia o su examen lo requieran. No podemos prometerle ningún resultado concreto de la "
        "atención.",
    ],
    [
        "3. Riesgos",
        "Como cualquier tratamiento físico, la atención quiropráctica tiene riesgos. Los que se indican a "
        "continuación son los que se informan habitualmente; se le pedirá que confirme cada uno por separado.",
        "- Frecuentes: dolor, rigidez o un aumento pasajero de los síntomas, que suele pasar en uno o dos días.",
        "- Poco frecuentes o raros: esguince o distensión de músculos o ligamentos; fractura de costilla (más "
        "probable si los huesos son frágiles); lesión de un disco o empeoramiento de un problema de disco que ya "
        "tenga.",
        "- Cuello: un desgarro en una arteria del cuello (disección de la arteria vertebral o carótida), que puede "
        "causar un derrame cerebral. Es raro, y las cifras publicadas sobre lo raro que es varían muchísimo. Se ha "
        "descrito una asociación entre la manipulación del cuello y estos desgarros; no se ha demostrado que la "
        "manipulación los cause, y un desgarro que está empezando puede causar por sí mismo el dolor de cuello o de "
        "cabeza que lleva a las personas a buscar atención. Avise de inmediato a su profesional si tiene un dolor "
        "de cabeza repentino y fuerte, mareos, visión doble, dificultad para hablar o para tragar, o "
        "adormecimiento, antes o después del tratamiento.",
        "Fuentes: declaración científica de la American Heart Association / American Stroke Association, 2014 "
        "(PubMed 25104849); Cassidy y otros, 2008 (PMC2271108); revisión de Swait y Finch, 2017 (PMC5719861).",
    ],
    [
        "4. Preguntas, rechazo y retiro del consentimiento",
        "Puede hacer preguntas en cualquier momento, antes o durante la atención, y su profesional hablará de este "
        "consentimiento con usted en persona. Puede rechazar cualquier procedimiento y puede retirar su "
        "consentimiento en cualquier momento, desde su cuenta o diciéndonoslo; retirarlo no afecta a su derecho a "
        "recibir otra atención. Le pediremos que lea y firme de nuevo cuando este documento cambie, o cuando cambie "
        "su diagnóstico o su plan de atención.",
    ],
    [
        "5. Menores de edad",
        "Si el paciente no tiene la edad de consentimiento, uno de sus padres o su tutor legal lee y firma este "
        "documento, y puede estar presente durante la atención.",
    ],
    [
        "6. Su información",
        "Lo que usted nos cuenta y lo que encontramos se guarda en su historia clínica, que solo puede leer el "
        "personal de la clínica, cada persona según su función.",
    ],
    [
        "Al firmar, usted confirma que ha leído este documento hasta el final, que entiende los riesgos indicados "
        "y que acepta la evaluación y la atención en estas condiciones, con la decisión sobre los procedimientos en "
        "el cuello que tome más abajo.",
    ],
]
ES_V2_TEXT = "\n\n".join("\n".join(lines) for lines in _ES_PARAGRAPHS) + "\n"

# Versions as `consent_version_create` takes them: the current English text and the demo's Spanish translation of it.
V2 = {"title": TITLE, "text": V2_TEXT, "risks": RISKS}
ES_V2 = {
    "title": ES_TITLE,
    "text": ES_V2_TEXT,
    "risks": ES_RISKS,
    "language": "es",
    "translation_note": ES_TRANSLATION_NOTE,
}
