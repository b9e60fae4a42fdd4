"""Languages: English (the source) and Simplified Chinese, from gettext catalogs kept with Babel.

The `.po` catalogs under `locale/` are the committed source; they are compiled in memory when the
app starts (no build step, nothing generated in the tree). Refresh them after changing a string:

    cd src/ccops/web && pybabel extract -F babel.cfg -k N_ -o locale/messages.pot .
    pybabel update -i locale/messages.pot -d locale
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = {"en": "English", "zh_Hans": "简体中文"}
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a language (English needs none)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _match(tag: str) -> str | None:
    tag = tag.strip().lower().replace("_", "-")
    if tag.startswith("zh"):
        return "zh_Hans"
    if tag.startswith("en"):
        return "en"
    return None


def choose_language(user_language: str | None, accept_language: str | None) -> str:
    """The user's own setting, else the browser's best supported choice, else English."""
    if user_language in LANGUAGES:
        return user_language
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = _match(tag)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE
