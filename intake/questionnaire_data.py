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
# Both instruments: items scored 0-5, and the scoring guides score a form with one item missed (out of the rest);
# with more, it is not scored.
SCORING = {"max_item_score": 5, "max_missing_items": 1}
# The items both instruments open with.
SHARED_ITEMS = [COMMON_PAIN, PERSONAL_CARE, LIFTING]
INSTRUCTIONS = (
    "For each question, choose the one answer that best describes your {problem} problem today. "
    "If a question does not apply to you, choose “Skip this question”."
)


def _instrument(
    code: str, title: str, *, region: str, problem: str, bands: list, source_note: str, meaningful_change: int, items
) -> dict:
    """A definition: the shared instructions, scoring rule and opening items, then the instrument's own items;
    `bands` are (highest percent, label) from the lowest."""
    return {
        "code": code,
        "title": title,
        "region": region,
        "instructions": INSTRUCTIONS.format(problem=problem),
        **SCORING,
        "bands": [{"max": top, "label": label} for top, label in bands],
        "source_note": source_note,
        "meaningful_change": meaningful_change,
        "items": [*SHARED_ITEMS, *items],
    }


NDI = _instrument(
    "ndi",
    "Neck function questionnaire (NDI-style)",
    region="neck",
    problem="neck",
    # Percent bands after Vernon (2008, J Manipulative Physiol Ther 31:491), converted from raw scores.
    bands=[(8, "No disability"), (28, "Mild"), (48, "Moderate"), (68, "Severe"), (100, "Complete")],
    source_note="Items written by the clinic in the structure of the NDI; bands after Vernon 2008.",
    # About 5 points of 50: the smallest change beyond measurement error the scoring guides quote.
    meaningful_change=10,
    items=[
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
)

ODI = _instrument(
    "odi",
    "Low back function questionnaire (ODI-style)",
    region="low_back",
    problem="back",
    bands=[
        (20, "Minimal disability"),
        (40, "Moderate disability"),
        (60, "Severe disability"),
        (80, "Crippled"),
        (100, "Bed-bound"),
    ],
    source_note="Items written by the clinic in the structure of the ODI; bands as published for the ODI.",
    # 10 percentage points (Ostelo et al., Spine 2008, consensus on low back pain).
    meaningful_change=10,
    items=[
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
)


# --- Spanish ----------------------------------------------------------------------------------------------------
# Our own Spanish wording of the clinic's items above: a translation for the demo, NOT a validated version. The
# published, validated Spanish instruments are the Spanish NDI ("Índice de Discapacidad Cervical", Andrade Ortega,
# Delgado Martínez and Almécija Ruiz, Med Clin (Barc) 2008) and the Spanish ODI ("Escala de incapacidad por dolor
# lumbar de Oswestry", Flórez García and others, Rehabilitación (Madr) 1995); a clinic that holds a licence loads
# that wording instead (`questionnaire_load`). Written for patients in the US (usted; "manejar" for driving).
SPANISH_NOTE = (
    "Spanish texts: translation for the demo, not a validated version (the clinic's own items translated by us, "
    "not the validated Spanish {instrument}). A clinic with a licence loads that version instead."
)

ES_ITEMS = {
    "pain": (
        "¿Qué intensidad tiene su dolor en este momento?",
        "En este momento no tengo dolor.",
        "El dolor es muy leve.",
        "El dolor es moderado.",
        "El dolor es bastante fuerte.",
        "El dolor es muy fuerte.",
        "El dolor es el peor que puedo imaginar.",
    ),
    "personal_care": (
        "Cuidado personal (lavarse, vestirse)",
        "Me arreglo con normalidad, sin que me aumente el dolor.",
        "Me arreglo con normalidad, pero me duele.",
        "Me duele, y lo hago despacio y con cuidado.",
        "Necesito algo de ayuda, pero me arreglo con casi todo.",
        "Necesito ayuda todos los días para casi todo.",
        "No puedo vestirme ni lavarme sin mucha dificultad, y me quedo en la cama.",
    ),
    "lifting": (
        "Levantar objetos",
        "Puedo levantar objetos pesados sin que me aumente el dolor.",
        "Puedo levantar objetos pesados, pero me aumenta el dolor.",
        "El dolor me impide levantar objetos pesados del suelo, pero puedo hacerlo si están en un sitio cómodo.",
        "El dolor me impide levantar objetos pesados, pero puedo levantar objetos ligeros o medianos si están en un "
        "sitio cómodo.",
        "Solo puedo levantar objetos muy ligeros.",
        "No puedo levantar ni cargar nada.",
    ),
    "sleeping": (
        "Dormir",
        "El dolor no altera mi sueño.",
        "El dolor altera un poco mi sueño (paso menos de 1 hora sin dormir).",
        "El dolor altera levemente mi sueño (paso de 1 a 2 horas sin dormir).",
        "El dolor altera bastante mi sueño (paso de 2 a 3 horas sin dormir).",
        "El dolor altera mucho mi sueño (paso de 3 a 5 horas sin dormir).",
        "El dolor altera por completo mi sueño (paso de 5 a 7 horas sin dormir).",
    ),
    "reading": (
        "Leer",
        "Puedo leer todo lo que quiero sin dolor de cuello.",
        "Puedo leer todo lo que quiero con un leve dolor de cuello.",
        "Puedo leer todo lo que quiero con un dolor de cuello moderado.",
        "Un dolor de cuello moderado me impide leer todo lo que quiero.",
        "Un dolor de cuello fuerte me impide leer todo lo que quiero.",
        "No puedo leer nada.",
    ),
    "headaches": (
        "Dolores de cabeza",
        "No tengo dolores de cabeza.",
        "A veces tengo dolores de cabeza leves.",
        "A veces tengo dolores de cabeza moderados.",
        "A menudo tengo dolores de cabeza moderados.",
        "A menudo tengo dolores de cabeza fuertes.",
        "Tengo dolor de cabeza casi todo el tiempo.",
    ),
    "concentration": (
        "Concentrarse",
        "Puedo concentrarme por completo sin dificultad.",
        "Puedo concentrarme por completo con un poco de dificultad.",
        "Tengo cierta dificultad para concentrarme.",
        "Tengo bastante dificultad para concentrarme.",
        "Tengo mucha dificultad para concentrarme.",
        "No puedo concentrarme en absoluto.",
    ),
    "work": (
        "Trabajo (pagado o en casa)",
        "Puedo trabajar todo lo que quiero.",
        "Puedo hacer mi trabajo habitual, pero nada más.",
        "Puedo hacer la mayor parte de mi trabajo habitual, pero nada más.",
        "No puedo hacer mi trabajo habitual.",
        "Casi no puedo trabajar.",
        "No puedo trabajar en absoluto.",
    ),
    "driving": (
        "Manejar (salte esta pregunta si no maneja)",
        "Puedo manejar sin dolor de cuello.",
        "Puedo manejar todo el tiempo que quiero con un leve dolor de cuello.",
        "Puedo manejar todo el tiempo que quiero con un dolor de cuello moderado.",
        "Un dolor de cuello moderado me impide manejar todo el tiempo que quiero.",
        "Casi no puedo manejar por un dolor de cuello fuerte.",
        "No puedo manejar en absoluto.",
    ),
    "recreation": (
        "Actividades de tiempo libre",
        "Puedo hacer todas mis actividades de tiempo libre sin dolor de cuello.",
        "Puedo hacer todas mis actividades de tiempo libre con algo de dolor de cuello.",
        "Puedo hacer la mayoría de mis actividades de tiempo libre habituales, pero no todas.",
        "Solo puedo hacer unas pocas de mis actividades de tiempo libre habituales.",
        "Casi no puedo hacer actividades de tiempo libre.",
        "No puedo hacer ninguna actividad de tiempo libre.",
    ),
    "walking": (
        "Caminar",
        "El dolor no me impide caminar cualquier distancia.",
        "El dolor me impide caminar más de una milla (unos 1.5 km).",
        "El dolor me impide caminar más de media milla (unos 800 m).",
        "El dolor me impide caminar más de unos 100 m.",
        "Solo puedo caminar con bastón o muletas.",
        "Paso la mayor parte del tiempo en la cama.",
    ),
    "sitting": (
        "Sentarse",
        "Puedo sentarme en cualquier silla todo el tiempo que quiero.",
        "Puedo sentarme en mi silla favorita todo el tiempo que quiero.",
        "El dolor no me deja estar en una silla más de 1 hora.",
        "El dolor no me deja estar en una silla más de 30 minutos.",
        "El dolor no me deja estar en una silla más de 10 minutos.",
        "El dolor me impide sentarme.",
    ),
    "standing": (
        "Estar de pie",
        "Puedo estar de pie todo el tiempo que quiero sin que me aumente el dolor.",
        "Puedo estar de pie todo el tiempo que quiero, pero me aumenta el dolor.",
        "El dolor me impide estar de pie más de 1 hora.",
        "El dolor me impide estar de pie más de 30 minutos.",
        "El dolor me impide estar de pie más de 10 minutos.",
        "El dolor me impide estar de pie.",
    ),
    "sex_life": (
        "Vida sexual (salte esta pregunta si no le corresponde)",
        "Mi vida sexual es normal y no me aumenta el dolor.",
        "Mi vida sexual es normal, pero me aumenta algo el dolor.",
        "Mi vida sexual es casi normal, pero muy dolorosa.",
        "El dolor limita mucho mi vida sexual.",
        "Casi no tengo vida sexual a causa del dolor.",
        "El dolor me impide tener vida sexual.",
    ),
    "social_life": (
        "Vida social",
        "Mi vida social es normal y no me aumenta el dolor.",
        "Mi vida social es normal, pero me aumenta el dolor.",
        "El dolor solo limita mis actividades más intensas, como el deporte.",
        "El dolor ha limitado mi vida social y salgo menos.",
        "El dolor ha limitado mi vida social a mi casa.",
        "No tengo vida social a causa del dolor.",
    ),
    "travelling": (
        "Viajar",
        "Puedo viajar a cualquier lugar sin dolor.",
        "Puedo viajar a cualquier lugar, pero me aumenta el dolor.",
        "El dolor es fuerte, pero aguanto viajes de más de 2 horas.",
        "El dolor me limita a viajes de menos de 1 hora.",
        "El dolor me limita a viajes cortos y necesarios, de menos de 30 minutos.",
        "El dolor me impide viajar, salvo para recibir tratamiento.",
    ),
}

ES_QUESTIONNAIRES = {
    "ndi": {
        "title": "Cuestionario sobre la función del cuello (tipo NDI)",
        "instructions": "En cada pregunta, elija la respuesta que mejor describa su problema de cuello hoy. "
        "Si una pregunta no tiene que ver con usted, elija “Saltar esta pregunta”.",
        "bands": ["Sin discapacidad", "Leve", "Moderada", "Grave", "Completa"],
        "source_note": SPANISH_NOTE.format(instrument="NDI of Andrade Ortega et al. 2008"),
    },
    "odi": {
        "title": "Cuestionario sobre la función de la parte baja de la espalda (tipo ODI)",
        "instructions": "En cada pregunta, elija la respuesta que mejor describa su problema de espalda hoy. "
        "Si una pregunta no tiene que ver con usted, elija “Saltar esta pregunta”.",
        "bands": [
            "Discapacidad mínima",
            "Discapacidad moderada",
            "Discapacidad grave",
            "Discapacidad muy grave",
            "Confinamiento en cama",
        ],
        "source_note": SPANISH_NOTE.format(instrument="ODI of Flórez García et al. 1995"),
    },
}


def _with_spanish(definition: dict) -> dict:
    """The definition with its Spanish texts under `translations` (the questionnaire's and each item's)."""
    items = []
    for item in definition["items"]:
        text, *options = ES_ITEMS[item["code"]]
        assert len(options) == len(item["options"]), item["code"]
        items.append({**item, "translations": {"es": {"text": text, "options": options}}})
    return {**definition, "items": items, "translations": {"es": ES_QUESTIONNAIRES[definition["code"]]}}


NDI = _with_spanish(NDI)
ODI = _with_spanish(ODI)
DEFINITIONS = (NDI, ODI)
