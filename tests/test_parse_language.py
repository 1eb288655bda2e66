import pytest

from archive import extract_article
from archive.parse.meta.language import detect_language

EN = "The council said that it was not ready to vote on the plan, and the mayor agreed with them."
DE = "Die Bahn hat angekündigt, dass sie die Züge nicht mehr auf der Strecke einsetzen will."
ES = "El gobierno dijo que la ley no se aplicará en las regiones del norte hasta el próximo año."
FR = "Le gouvernement a annoncé que la loi ne sera pas appliquée dans les régions du nord."


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (EN * 3, "en"),
        (DE * 3, "de"),
        (ES * 3, "es"),
        (FR * 3, "fr"),
        ("Правительство заявило, что закон не будет применяться в северных регионах.", "ru"),
        ("先日、不正に改造したiPhoneを販売したとして逮捕されました。", "ja"),
        ("政府表示，该法律明年之前不会在北方地区实施。", "zh"),
        ("정부는 이 법이 내년까지 북부 지역에 적용되지 않을 것이라고 밝혔다.", "ko"),
        ("12345 67890", None),
        ("", None),
        ("Zyx qwv", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_the_page_language_comes_first_and_the_text_decides_when_it_is_silent() -> None:
    body = "<p>" + DE * 4 + "</p>"
    silent = f"<html><body><article>{body * 3}</article></body></html>"
    declared = f'<html lang="fr"><body><article>{body * 3}</article></body></html>'
    assert extract_article(silent).language == "de"
    assert extract_article(declared).language == "fr"
