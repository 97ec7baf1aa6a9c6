"""The console's catalogues: every word the console says is in them, and
Chinese has all of them (English is the catalogue's own language)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file)


def console_words() -> set[str]:
    method_map = [("console/**.py", "python"), ("console/templates/**.html", "jinja2"), ("reports/views.py", "python")]
    words = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS):
        words.add(message[0] if isinstance(message, tuple) else message)
    return words


def test_every_word_of_the_console_is_in_the_catalogues():
    for language in ("zh_Hans_CN", "en_US"):
        known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue(language) if m.id}
        missing = console_words() - known
        assert not missing, f"{language} lacks {sorted(missing)}: run make messages, then translate"


def test_chinese_translates_every_word_and_keeps_its_placeholders():
    for message in catalogue("zh_Hans_CN"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"no Chinese for {message.id!r}"
        assert not message.fuzzy, f"the Chinese for {message.id!r} is only a guess (fuzzy)"
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        for placeholder in ("%(" + name for name in source.split("%(")[1:]):
            placeholder = placeholder.split(")")[0]
            assert all(placeholder in s for s in strings), f"{message.id!r} loses {placeholder})"
