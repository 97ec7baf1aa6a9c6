"""The knowledge base's articles, as the centre writes them in
``config/knowledge/articles.yaml``.

Pure: a file in, validated ``Article``s out.  Every problem names the file
and the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping

from config.files import read_mapping

ARTICLES = Path("knowledge") / "articles.yaml"
# The held-out enquiries, each set with the file its SHA-256 was frozen in.  The
# newest set is the one the figure is published on; an older one, once it has
# been measured and looked at, is kept (never trained on) but is held out no more.
HELDOUT_SETS = {
    "second": (Path("knowledge") / "heldout-2.yaml", Path("knowledge") / "FROZEN-2"),
    "first": (Path("knowledge") / "heldout.yaml", Path("knowledge") / "FROZEN"),
    "english": (Path("knowledge") / "heldout-en.yaml", Path("knowledge") / "FROZEN-EN"),
}
CURRENT_HELDOUT = "second"
LANGUAGES = ("zh-CN", "en-US")
# English reports (not questions), frozen like the held-out sets: how often the
# English question rule (understanding.english) would answer a complaint
# instead of taking it as a case.  Measured with the "english" set.
COMPLAINTS_EN = (Path("knowledge") / "complaints-en.yaml", Path("knowledge") / "FROZEN-COMPLAINTS-EN")
# The language each held-out set is asked in (searched with that language's index).
HELDOUT_LANGUAGE = {"english": "en-US"}
# How callers of another language ask: knowledge/asks.<language>.yaml, training
# data apart from the Chinese asks in articles.yaml.
TRANSLATED_ASKS = "asks.{language}.yaml"
MAX_SPOKEN = 80            # Chinese characters the IVR reads out
MAX_ANSWER = 300           # Chinese characters of the full answer (an SMS of a few parts)
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class KnowledgeError(ValueError):
    """The knowledge base is malformed; the message names the file and the article."""


@dataclass(frozen=True)
class Article:
    id: str
    lines: tuple[str, ...]
    title: Mapping[str, str]
    asks: tuple[str, ...]
    spoken: Mapping[str, str]
    answer: Mapping[str, str]
    department: str | None = None
    updated: date | None = None
    # (language, asks) for languages other than zh-CN, from asks.<language>.yaml
    translated_asks: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def text(self, field: str, language: str) -> str:
        values = getattr(self, field)
        return values.get(language) or values["zh-CN"]

    def asks_in(self, language: str) -> tuple[str, ...]:
        """How callers ask it in ``language``: the articles' own asks in
        Chinese, the translated ones otherwise (none when there are none)."""
        if language == LANGUAGES[0]:
            return self.asks
        return dict(self.translated_asks).get(language, ())

    def with_asks(self, language: str, asks: tuple[str, ...]) -> "Article":
        if language == LANGUAGES[0]:
            return replace(self, asks=asks)
        others = tuple((lang, a) for lang, a in self.translated_asks if lang != language)
        return replace(self, translated_asks=(*others, (language, asks)))


@dataclass(frozen=True)
class HeldOutEnquiry:
    text: str
    line: str
    article: str


def load_articles(config_dir: Path | str, lines: Iterable[str], departments: Iterable[str]) -> tuple[Article, ...]:
    path = Path(config_dir) / ARTICLES
    data = _read(path)
    known_lines, known_departments = set(lines), set(departments)
    articles, seen = [], set()
    for index, item in enumerate(data.get("articles") or ()):
        where = f"{path}: articles[{index}]"
        if not isinstance(item, dict):
            raise KnowledgeError(f"{where}: must be a mapping")
        article_id = str(item.get("id") or "")
        if not _ID.match(article_id):
            raise KnowledgeError(f"{where}.id: {article_id!r} must be lower-case words joined by hyphens")
        if article_id in seen:
            raise KnowledgeError(f"{where}.id: duplicate article {article_id!r}")
        seen.add(article_id)
        where = f"{path}: {article_id}"
        article_lines = tuple(item.get("lines") or ())
        if not article_lines or not set(article_lines) <= known_lines:
            raise KnowledgeError(f"{where}.lines: must name lines of lines.yaml ({', '.join(sorted(known_lines))})")
        department = item.get("department")
        if department is not None and department not in known_departments:
            raise KnowledgeError(f"{where}.department: unknown department {department!r}")
        asks = tuple(str(a).strip() for a in item.get("asks") or () if str(a).strip())
        if not asks:
            raise KnowledgeError(f"{where}.asks: needs at least one way people ask it")
        article = Article(
            id=article_id, lines=article_lines, title=_texts(where, "title", item),
            asks=asks, spoken=_texts(where, "spoken", item), answer=_texts(where, "answer", item),
            department=department, updated=item.get("updated") if isinstance(item.get("updated"), date) else None)
        if len(article.spoken["zh-CN"]) > MAX_SPOKEN:
            raise KnowledgeError(f"{where}.spoken: at most {MAX_SPOKEN} characters are read out")
        if len(article.answer["zh-CN"]) > MAX_ANSWER:
            raise KnowledgeError(f"{where}.answer: at most {MAX_ANSWER} characters")
        articles.append(article)
    if not articles:
        raise KnowledgeError(f"{path}: no articles")
    return _with_translated_asks(Path(config_dir), tuple(articles))


def _with_translated_asks(config_dir: Path, articles: tuple[Article, ...]) -> tuple[Article, ...]:
    by_id = {article.id: article for article in articles}
    for language in LANGUAGES[1:]:
        path = config_dir / "knowledge" / TRANSLATED_ASKS.format(language=language)
        if not path.exists():
            continue
        asks = _read(path).get("asks") or {}
        if not isinstance(asks, dict):
            raise KnowledgeError(f"{path}: asks must map article ids to lists of questions")
        for article_id, questions in asks.items():
            if article_id not in by_id:
                raise KnowledgeError(f"{path}: asks.{article_id}: no such article in {ARTICLES}")
            if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
                raise KnowledgeError(f"{path}: asks.{article_id}: must be a list of questions")
            by_id[article_id] = by_id[article_id].with_asks(language, tuple(q.strip() for q in questions))
    return tuple(by_id[article.id] for article in articles)


def load_heldout(config_dir: Path | str, which: str = CURRENT_HELDOUT) -> tuple[HeldOutEnquiry, ...]:
    path = Path(config_dir) / HELDOUT_SETS[which][0]
    enquiries = []
    for index, item in enumerate(_read(path).get("enquiries") or ()):
        fields = ("text", "line", "article")
        if not isinstance(item, dict) or any(not str(item.get(key) or "").strip() for key in fields):
            raise KnowledgeError(f"{path}: enquiries[{index}]: needs text, line and article")
        enquiries.append(HeldOutEnquiry(str(item["text"]).strip(), str(item["line"]), str(item["article"])))
    return tuple(enquiries)


def load_complaints(config_dir: Path | str) -> tuple[str, ...]:
    """The frozen English reports' words."""
    path = Path(config_dir) / COMPLAINTS_EN[0]
    texts = []
    for index, item in enumerate(_read(path).get("complaints") or ()):
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            raise KnowledgeError(f"{path}: complaints[{index}]: needs text")
        texts.append(str(item["text"]).strip())
    return tuple(texts)


def check_files(config_dir: Path | str, lines: Iterable[str], departments: Iterable[str]) -> None:
    """The articles, every held-out set and the English reports read and
    checked, as the app does at start: every held-out enquiry names an
    article that exists."""
    known = {article.id for article in load_articles(config_dir, lines, departments)}
    for which, (heldout, _frozen) in HELDOUT_SETS.items():
        for index, enquiry in enumerate(load_heldout(config_dir, which)):
            if enquiry.article not in known:
                raise KnowledgeError(f"{Path(config_dir) / heldout}: enquiries[{index}].article: "
                                     f"no article {enquiry.article!r} in {ARTICLES}")
    load_complaints(config_dir)       # read only by `knowledge evaluate`, but a mistake stops the start too


def edited_article(article: Article, content: Mapping) -> Article:
    """``article`` with a supervisor's texts (title, asks, spoken, answer, each
    optional), held to the same rules as the YAML's.  Raises ``KnowledgeError``."""
    where = f"article {article.id}"
    fields = {}
    for field in ("title", "spoken", "answer"):
        if field in content:
            fields[field] = _texts(where, field, {field: {**getattr(article, field), **content[field]}})
    if "asks" in content:
        asks = tuple(str(a).strip() for a in content["asks"] or () if str(a).strip())
        if not asks:
            raise KnowledgeError(f"{where}.asks: needs at least one way people ask it")
        fields["asks"] = asks
    edited = replace(article, **fields)
    if len(edited.spoken["zh-CN"]) > MAX_SPOKEN:
        raise KnowledgeError(f"{where}.spoken: at most {MAX_SPOKEN} characters are read out")
    if len(edited.answer["zh-CN"]) > MAX_ANSWER:
        raise KnowledgeError(f"{where}.answer: at most {MAX_ANSWER} characters")
    return edited


def _texts(where: str, field: str, item: dict) -> dict[str, str]:
    values = item.get(field)
    if not isinstance(values, dict) or not str(values.get("zh-CN") or "").strip():
        raise KnowledgeError(f"{where}.{field}: needs a zh-CN text (and en-US beside it)")
    unknown = set(values) - set(LANGUAGES)
    if unknown:
        raise KnowledgeError(f"{where}.{field}: unknown language {sorted(unknown)[0]!r}")
    return {language: str(text).strip() for language, text in values.items() if str(text or "").strip()}


def _read(path: Path) -> dict:
    return read_mapping(path, KnowledgeError)
