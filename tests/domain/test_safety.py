"""Red flags, eating-disorder signs and the safety message, in English, Russian, Spanish, German."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.safety import (
    RedFlag,
    RedFlagCategory,
    detect_eating_disorder_signs,
    detect_red_flag,
    message_language,
    normalize,
    safety_message,
)

C = RedFlagCategory

RED_FLAGS = [
    # English
    ("my chest hurts and the pain spreads to my left arm", C.CHEST_PAIN),
    ("I have chest pain when I run", C.CHEST_PAIN),
    ("There's a crushing pressure in my chest", C.CHEST_PAIN),
    ("Tightness across my chest since this morning", C.CHEST_PAIN),
    ("I think I'm having a heart attack", C.CHEST_PAIN),
    ("I can't breathe", C.BREATHLESSNESS),
    ("I'm short of breath even when sitting down", C.BREATHLESSNESS),
    ("Out of breath at rest, lips turned blue", C.BREATHLESSNESS),
    ("I fainted during squats", C.FAINTING),
    ("I passed out after my set", C.FAINTING),
    ("I collapsed in the middle of my run", C.FAINTING),
    ("I felt faint and everything went black", C.FAINTING),
    ("I've been having palpitations", C.PALPITATIONS),
    ("My heart keeps skipping beats", C.PALPITATIONS),
    ("My heart is racing at rest", C.PALPITATIONS),
    ("My heart rate won't come down after the run", C.PALPITATIONS),
    ("Worst headache of my life during deadlifts", C.STROKE_OR_HEADACHE),
    ("Sudden severe headache while benching", C.STROKE_OR_HEADACHE),
    ("My face is drooping and my speech is slurred", C.STROKE_OR_HEADACHE),
    ("One side of my body went numb", C.STROKE_OR_HEADACHE),
    ("dark urine and my muscles are killing me after yesterday's workout", C.RHABDOMYOLYSIS),
    ("My pee is cola coloured and I have extreme muscle soreness", C.RHABDOMYOLYSIS),
    ("I think I have rhabdo", C.RHABDOMYOLYSIS),
    ("I heard a pop in my knee and now it's swollen", C.ACUTE_INJURY),
    ("My ankle is swollen and I can't put weight on it", C.ACUTE_INJURY),
    ("I think I dislocated my shoulder", C.ACUTE_INJURY),
    ("My finger is bent the wrong way", C.ACUTE_INJURY),
    ("I want to kill myself", C.SELF_HARM),
    ("I don't want to live anymore", C.SELF_HARM),
    ("Sometimes I feel suicidal", C.SELF_HARM),
    ("I want to hurt myself", C.SELF_HARM),
    ("I'm thinking about ending my life", C.SELF_HARM),
    # Russian
    ("боль в груди отдаёт в руку", C.CHEST_PAIN),
    ("Болит грудь и давит", C.CHEST_PAIN),
    ("давит за грудиной", C.CHEST_PAIN),
    ("НЕ МОГУ ДЫШАТЬ", C.BREATHLESSNESS),
    ("задыхаюсь даже в покое", C.BREATHLESSNESS),
    ("я потерял сознание на тренировке", C.FAINTING),
    ("Чуть не упала в обморок после бега", C.FAINTING),
    ("сердце замирает и пропускает удары", C.PALPITATIONS),
    ("перебои в работе сердца", C.PALPITATIONS),
    ("внезапная сильная головная боль", C.STROKE_OR_HEADACHE),
    ("лицо перекосило и язык заплетается", C.STROKE_OR_HEADACHE),
    ("моча тёмная, мышцы дико болят после тренировки", C.RHABDOMYOLYSIS),
    ("Колено опухло и не могу наступить", C.ACUTE_INJURY),
    ("кажется, я сломал руку", C.ACUTE_INJURY),
    ("хочу покончить с собой", C.SELF_HARM),
    ("Не хочу жить", C.SELF_HARM),
    # Spanish
    ("me duele el pecho", C.CHEST_PAIN),
    ("Tengo dolor en el pecho y se irradia al brazo izquierdo", C.CHEST_PAIN),
    ("no puedo respirar", C.BREATHLESSNESS),
    ("me falta el aire incluso sentado", C.BREATHLESSNESS),
    ("me desmayé en el gimnasio", C.FAINTING),
    ("Tengo palpitaciones", C.PALPITATIONS),
    ("el peor dolor de cabeza de mi vida", C.STROKE_OR_HEADACHE),
    ("tengo la orina oscura y me duelen mucho los músculos", C.RHABDOMYOLYSIS),
    ("Tobillo hinchado y no puedo apoyar el pie", C.ACUTE_INJURY),
    ("quiero morir", C.SELF_HARM),
    ("A veces pienso en suicidarme", C.SELF_HARM),
    # German
    ("Brustschmerzen", C.CHEST_PAIN),
    ("Druck auf der Brust beim Treppensteigen", C.CHEST_PAIN),
    ("Meine Brust tut so weh", C.CHEST_PAIN),
    ("ich bekomme keine Luft", C.BREATHLESSNESS),
    ("Atemnot in Ruhe", C.BREATHLESSNESS),
    ("Ich bin beim Training ohnmächtig geworden", C.FAINTING),
    ("Mir wurde schwarz vor Augen", C.FAINTING),
    ("Herzstolpern seit gestern", C.PALPITATIONS),
    ("plötzliche starke Kopfschmerzen", C.STROKE_OR_HEADACHE),
    ("Dunkler Urin und extreme Muskelschmerzen nach dem Training", C.RHABDOMYOLYSIS),
    ("Mein Knöchel ist geschwollen und ich kann nicht auftreten", C.ACUTE_INJURY),
    ("ich will mich umbringen", C.SELF_HARM),
    ("Ich will nicht mehr leben", C.SELF_HARM),
]

NOT_RED_FLAGS = [
    # English
    "chest day today!",
    "best chest press form?",
    "How many sets for a heavy chest day?",
    "I want to blow off steam",
    "my heart rate during cardio is 150",
    "that was a killer workout",
    "I'm dying to try deadlifts",
    "I did suicides at practice",
    "how do I use a suicide grip",
    "I don't want to hurt myself deadlifting",
    "I hurt myself doing squats last year, how do I come back?",
    "my chest is sore after bench",
    "no chest pain, just sore legs",
    "how to avoid fainting when donating blood",
    "I get out of breath when running fast, how to improve?",
    "I can't breathe through my nose while running",
    "my pee is dark, I should drink more water",
    "muscles are sore after leg day",
    "I had a heart attack last year, what exercise is safe?",
    "I broke my personal record",
    "I'm killing myself at the gym every day",
    "This workout takes my life to the next level",
    "I feel like I'm going to die on the treadmill lol",
    "I collapsed on the couch after the workout",
    "Passed out on the sofa after leg day haha",
    "Pass out the bands please",
    "What is rhabdo and how do I avoid it?",
    "How to prevent a dislocated shoulder?",
    "How do I breathe during squats?",
    # Russian
    "день груди сегодня",
    "жим от груди болит плечо",
    "грудные мышцы болят после жима",
    "убийственная тренировка",
    "сердцебиение 150 на кардио",
    "мне больше нравится бег",
    "Задыхаюсь на пробежке, как улучшить выносливость?",
    "Сердце колотится после спринта, это нормально?",
    "Сломал телефон в зале",
    "не хочу навредить себе тренировкой",
    "как избежать обморока при сдаче крови",
    # Spanish
    "press de pecho",
    "día de pecho",
    "no quiero hacerme daño con el peso muerto",
    "me muero de ganas de probar el peso muerto",
    "me duelen los pectorales después del press",
    "Me falta el aire cuando corro rápido",
    "Estoy muerto después del entrenamiento",
    # German
    "Brusttag heute",
    "Brustpresse Technik",
    "Ich möchte mich nicht verletzen",
    "Herzfrequenz beim Cardio 150",
    "Ich habe meinen Rekord gebrochen",
    "Muskelkater in den Beinen",
    "Ich bin total außer Atem nach dem Sprint",
    "Brust und Trizeps heute, Plan?",
    "",
]


@pytest.mark.parametrize(("text", "category"), RED_FLAGS)
def test_red_flags_are_detected(text: str, category: RedFlagCategory) -> None:
    flag = detect_red_flag(text)

    assert flag is not None, text
    assert flag.category is category
    assert flag.matched


@pytest.mark.parametrize("text", NOT_RED_FLAGS)
def test_ordinary_fitness_talk_is_not_a_red_flag(text: str) -> None:
    assert detect_red_flag(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        pytest.param("I want to kill myself, my chest hurts", C.SELF_HARM, id="self-harm-first"),
        pytest.param("I fainted and my chest hurts", C.CHEST_PAIN, id="chest-before-fainting"),
    ],
)
def test_most_urgent_category_wins(text: str, category: RedFlagCategory) -> None:
    flag = detect_red_flag(text)

    assert flag is not None
    assert flag.category is category


@pytest.mark.parametrize(
    "text",
    [
        "MY CHEST HURTS",
        "my chest hurts!!!",
        "my   chest\thurts",
        "My chest hurts.",
        "боль в груди",
        "БОЛЬ  В  ГРУДИ!",
        "ME DUELE EL PECHO",
        "me duele el pecho",
    ],
)
def test_detection_is_robust_to_case_spacing_and_accents(text: str) -> None:
    assert detect_red_flag(text) is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ещё ТЁМНАЯ", "еще темная"),
        ("Desmayé  en   el gym", "desmaye en el gym"),
        ("Ohnmächtig, Fuß", "ohnmachtig, fuss"),
        ("I can’t breathe", "i can't breathe"),
        ("line one\nline two", "line one\nline two"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@given(st.text(max_size=300))
def test_detect_red_flag_never_fails(text: str) -> None:
    flag = detect_red_flag(text)
    assert flag is None or isinstance(flag.category, RedFlagCategory)


ED_SIGNS = [
    "I eat 600 calories",
    "I only have 800 kcal a day",
    "I make myself throw up after dinner",
    "I need to burn off everything I eat",
    "I'm starving myself before the wedding",
    "I feel guilty after eating anything",
    "I take laxatives to lose weight",
    "ем 700 ккал в день",
    "вызываю рвоту после еды",
    "почти ничего не ем",
    "me provoco el vómito",
    "quiero quemar todo lo que como",
    "Ich esse nur 800 kcal am Tag",
    "Ich hungere mich runter",
    "Ich habe Angst zuzunehmen",
]

NOT_ED_SIGNS = [
    "I eat 2000 calories",
    "I ate a 300 calorie snack",
    "I burn 600 calories running",
    "eat 500 calories less than maintenance",
    "I eat nothing but chicken and rice",
    "What's a good breakfast before training?",
    "ем 2200 ккал в день",
    "Ich esse 2500 Kalorien",
]


@pytest.mark.parametrize("text", ED_SIGNS)
def test_eating_disorder_signs_are_detected(text: str) -> None:
    assert detect_eating_disorder_signs(text)


@pytest.mark.parametrize("text", NOT_ED_SIGNS)
def test_ordinary_nutrition_talk_is_not_an_eating_disorder_sign(text: str) -> None:
    assert not detect_eating_disorder_signs(text)


@pytest.mark.parametrize(
    ("text", "language_code", "expected"),
    [
        pytest.param("боль в груди", "en", "ru", id="cyrillic-beats-code"),
        pytest.param("me duele el pecho", "de", "es", id="spanish-words-beat-code"),
        pytest.param("Brustschmerzen", "en", "de", id="german-symptom-word"),
        pytest.param("my chest hurts", "de", "en", id="english-words-beat-code"),
        pytest.param("!!!", "es", "es", id="no-words-uses-code"),
        pytest.param("???", "pt-BR", "en", id="unsupported-code-defaults-to-english"),
        pytest.param("???", None, "en", id="no-code-defaults-to-english"),
        pytest.param("ok", "ru", "ru", id="latin-filler-keeps-russian-code"),
    ],
)
def test_message_language(text: str, language_code: str | None, expected: str) -> None:
    assert message_language(text, language_code) == expected


@pytest.mark.parametrize(
    ("text", "language_code", "must_contain"),
    [
        ("my chest hurts", None, ["Chest pain", "stop exercising", "112", "911", "doctor"]),
        ("боль в груди", "en", ["Боль или давление в груди", "112", "врач"]),
        ("me duele el pecho", None, ["dolor", "112", "911", "médico"]),
        ("Brustschmerzen", None, ["Brust", "112", "Arzt"]),
    ],
)
def test_safety_message_stops_coaching_and_points_to_emergency_care(
    text: str, language_code: str | None, must_contain: list[str]
) -> None:
    flag = detect_red_flag(text)
    assert flag is not None

    message = safety_message(flag, language_code, text)

    for fragment in must_contain:
        assert fragment in message


@pytest.mark.parametrize(
    ("text", "must_contain"),
    [
        ("I want to kill myself", ["sorry", "988", "findahelpline.com", "112"]),
        ("хочу покончить с собой", ["жаль", "findahelpline.com", "112"]),
        ("quiero morir", ["Siento mucho", "024", "findahelpline.com"]),
        ("ich will mich umbringen", ["TelefonSeelsorge", "0800 111 0 111", "112"]),
    ],
)
def test_self_harm_gets_a_caring_crisis_message(text: str, must_contain: list[str]) -> None:
    flag = detect_red_flag(text)
    assert flag is not None
    assert flag.category is C.SELF_HARM

    message = safety_message(flag, None, text)

    for fragment in must_contain:
        assert fragment in message
    # A crisis message is not an exercise instruction.
    assert "exercis" not in message.lower()


@pytest.mark.parametrize("category", list(RedFlagCategory))
@pytest.mark.parametrize("language", ["en", "ru", "es", "de"])
def test_every_category_has_a_message_in_every_language(
    category: RedFlagCategory, language: str
) -> None:
    message = safety_message(RedFlag(category=category, matched="x"), language, "")

    assert "112" in message
    assert "{" not in message
