"""rabat.text.language: short everyday texts in many scripts, mixed texts, the undetermined cases,
batches, determinism and the one-time load (the real bundled model; no network)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from rabat.text import language
from rabat.text.language import UNDETERMINED, Language, detect, detect_batch

SENTENCES = [
    ("en", "The bus is late again"),
    ("en", "We are planning a picnic in the park on Saturday if the weather stays dry."),
    ("fr", "Il fait beau aujourd'hui"),
    ("fr", "Nous avons visité le musée hier et ensuite nous avons mangé au restaurant."),
    ("de", "Das Wetter ist schön"),
    ("de", "Am Wochenende besuchen wir meine Großeltern auf dem Land."),
    ("es", "¿Dónde está la estación?"),
    ("es", "Mi hermana estudia medicina en la universidad."),
    ("ar", "أين محطة القطار؟"),
    ("ar", "ذهبنا إلى السوق في الصباح واشترينا الخضار والفواكه الطازجة للعشاء."),
    ("pt", "Obrigado pela ajuda, amigo"),
    ("pt", "A biblioteca da cidade abre às nove horas."),
    ("pl", "Idę do sklepu po chleb"),
    ("pl", "W przyszłym tygodniu jedziemy nad morze, żeby odpocząć."),
    ("it", "Andiamo al cinema stasera"),
    ("it", "Ogni domenica la nostra famiglia prepara la pasta fatta in casa."),
    ("hi", "आज मौसम अच्छा है"),
    ("hi", "कल हम अपने दोस्तों के साथ पुराने किले को देखने गए।"),
    ("zh", "今天天气很好"),
    ("zh", "谢谢你"),
    ("zh", "周末我们一家人去了博物馆，看了很多有趣的古代文物。"),  # noqa: RUF001 (Chinese comma)
    ("my", "ဒီနေ့ ရာသီဥတု ကောင်းတယ်"),
    ("my", "ကျွန်တော်တို့ မနက်ဖြန် ဈေးကို သွားပြီး ဟင်းသီးဟင်းရွက်တွေ ဝယ်မယ်။"),
    ("sw", "Habari ya asubuhi rafiki"),
    ("sw", "Watoto wanacheza mpira uwanjani"),
    ("nl", "Het regent vandaag weer"),
    ("nl", "Na het werk gaan we samen koken en daarna kijken we een film."),
]
NO_LANGUAGE = [
    "12345",
    "😀😀🎉",
    "https://example.org/a/b?c=1",
    "@someone https://t.co/x 😀",
    "!!!",
    "2024-05-01 10:30",
    "ok",
    "Paris",
    "covid",
    "ok ok ok",  # one distinct word, repeated
    "Berlin Berlin",
    "hello world",  # two words, but no language the detector is confident in
    "सुप्रभात",  # a single word, in any script
]
# (dominant, another language a clause is written in, text)
MIXED = [
    ("es", "en", "Mañana vamos a visitar a mis abuelos en el pueblo, see you later."),
    ("en", "fr", "I really enjoyed the trip to the mountains last week, c'est la vie."),
    ("de", "en", "Wir treffen uns morgen um zehn Uhr vor dem Bahnhof, okay thanks."),
]


@pytest.mark.parametrize(("expected", "text"), SENTENCES)
def test_everyday_texts_get_their_language(expected: str, text: str) -> None:
    found = detect(text)
    assert found.code == expected, found
    assert 0.2 <= found.confidence <= 1
    assert found.found[0] == expected


@pytest.mark.parametrize("text", NO_LANGUAGE)
def test_too_little_language_is_undetermined(text: str) -> None:
    assert detect(text) == Language(UNDETERMINED, 0.0, ())


def test_a_sentence_is_more_confident_than_two_words() -> None:
    assert detect("Het regent vandaag weer en morgen ook, zegt het weerbericht").confidence > 0.9
    assert detect("Het regent vandaag weer").confidence < 0.9


@pytest.mark.parametrize(("dominant", "other", "text"), MIXED)
def test_mixed_text_gets_the_dominant_language_and_lists_the_other(
    dominant: str, other: str, text: str
) -> None:
    found = detect(text)
    assert found.code == dominant
    assert found.found == (dominant, other)


def test_urls_and_mentions_do_not_count_as_language() -> None:
    text = "@someone https://example.org/page Nous sommes allés au marché ce matin"
    assert detect(text).code == "fr"
    assert detect(text).found == ("fr",)


def test_varieties_are_given_as_their_language(monkeypatch: pytest.MonkeyPatch) -> None:
    class Fixed:
        def __init__(self, code: str) -> None:
            self.code = code

        def classify(self, text: str) -> tuple[str, float]:
            return self.code, 0.9

    monkeypatch.setattr(language, "_detector", Fixed("ary"))
    assert detect("شكرا بزاف على كلشي").code == "ar"
    monkeypatch.setattr(language, "_detector", Fixed("zxx"))
    assert detect("lorem ipsum dolor").code == UNDETERMINED


def test_batch_equals_one_at_a_time_in_order() -> None:
    texts = [text for _, text in SENTENCES] + NO_LANGUAGE + [text for *_, text in MIXED]
    assert detect_batch(texts) == [detect(text) for text in texts]
    assert detect_batch([]) == []


def test_answers_are_deterministic() -> None:
    texts = [text for _, text in SENTENCES]
    first = detect_batch(texts)
    assert all(detect_batch(texts) == first for _ in range(3))
    assert [detect(t) for t in reversed(texts)] == first[::-1]


def test_to_dict_is_the_json_shape() -> None:
    found = detect("Mañana vamos a visitar a mis abuelos en el pueblo, see you later.")
    assert found.to_dict() == {"code": "es", "confidence": found.confidence, "found": ["es", "en"]}
    assert language.UNKNOWN.to_dict() == {"code": "und", "confidence": 0.0, "found": []}


def test_a_long_text_is_read_fast_enough() -> None:
    import time

    text = ("Nous avons visité le musée hier et ensuite nous avons mangé. " * 200)[:10_000]
    detect(text)
    start = time.perf_counter()
    assert detect(text).code == "fr"
    assert time.perf_counter() - start < 0.5  # about 5 ms here; a generous bar for slow CI


def test_the_model_loads_once_when_threads_race(monkeypatch: pytest.MonkeyPatch) -> None:
    from py3langid.langid import LanguageIdentifier

    loads: list[int] = []
    real = LanguageIdentifier.from_model_file

    def counting(*args: Any, **kwargs: Any) -> LanguageIdentifier:
        loads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(language, "_detector", None)
    monkeypatch.setattr(LanguageIdentifier, "from_model_file", counting)
    barrier = threading.Barrier(4)
    results: list[str] = []

    def work() -> None:
        barrier.wait()
        results.append(detect("Il fait beau aujourd'hui").code)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == [1]
    assert results == ["fr"] * 4
