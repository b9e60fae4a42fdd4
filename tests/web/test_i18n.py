"""Languages: every string marked for translation has a Chinese translation; choice of language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import ccops.web
from ccops.web.i18n import choose_language, translations

WEB = Path(ccops.web.__file__).parent
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {
    "templates/**.html": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "True",
        "lstrip_blocks": "True",
    }
}


def _marked() -> set[str]:
    keywords = {"_": None, "gettext": None, "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, options_map=OPTIONS, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found - {""}


def test_every_marked_string_has_a_chinese_translation() -> None:
    with (WEB / "locale/zh_Hans/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(_marked() - set(translated))
    assert missing == []


def test_the_chinese_catalog_compiles_and_translates() -> None:
    assert translations("zh_Hans").gettext("Wallboard") == "大屏"
    assert translations("en").gettext("Wallboard") == "Wallboard"


def test_the_users_setting_wins_over_the_browser_and_chinese_variants_map_to_simplified() -> None:
    assert choose_language("en", "zh-CN,zh;q=0.9") == "en"
    assert choose_language(None, "zh-CN,zh;q=0.9") == "zh_Hans"
    assert choose_language(None, "fr-FR, en;q=0.5, zh;q=0.8") == "zh_Hans"
    assert choose_language(None, "fr-FR") == "en"
    assert choose_language(None, None) == "en"
