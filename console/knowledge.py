"""The knowledge base in the console: operators search the same articles
that answer callers on the phone; supervisors edit them, and every change
is kept (who, when, the text before and after).

Edits are stored in the database over the shipped YAML
(``knowledge.services``), so they survive restarts and reach the phone at once.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from console.auth import current_principal, requires
from console.i18n import language
from console.navigation import NavItem
from database import db
from knowledge.services import EDITABLE, EditRefused, edit_article, history
from understanding.text import is_chinese
from wiring import services

bp = Blueprint("console_knowledge", __name__, url_prefix="/console/knowledge")

READERS = ("operator", "dispatcher", "supervisor")
EDITORS = ("supervisor",)                     # admins pass every check
LANGUAGES = ("zh-CN", "en-US")

MENU_ENTRY = NavItem("console_knowledge.index", _l("Knowledge base"),
                     _l("Answers to callers' questions: search them; supervisors edit them"), READERS)


def query_language(query: str) -> str:
    """Chinese if the query has any Chinese in it, else English when it has Latin letters."""
    if is_chinese(query) or not any("a" <= c.lower() <= "z" for c in query):
        return "zh-CN"
    return "en-US"


def may_edit() -> bool:
    principal = current_principal()
    return principal is not None and principal.role in EDITORS + ("admin",)


@bp.get("/")
@requires(*READERS)
def index():
    session = db.session()
    query, line = (request.args.get("q") or "").strip()[:200], request.args.get("line") or None
    lines = services().config.lines
    if line not in lines:
        line = None
    if query:
        # Compared with the texts of the query's own language: an English
        # question finds the articles by how English callers ask them.
        hits = services().knowledge.search(session, query, line=line, k=8, language=query_language(query))
        found = [(hit.article, hit.score) for hit in hits if hit.score > 0]
    else:
        found = [(article, None) for article in services().knowledge.articles(session)
                 if line is None or line in article.lines]
    changes = history(session, limit=10) if may_edit() else []
    return render_template("console/knowledge.html", found=found, query=query, line=line, lines=lines,
                           changes=changes, lang=language())


@bp.get("/<article_id>")
@requires(*READERS)
def article(article_id: str):
    session = db.session()
    found = services().knowledge.article(session, article_id)
    if found is None:
        abort(404)
    return render_template("console/article.html", article=found, changes=history(session, article_id),
                           may_edit=may_edit(), lang=language(), text_languages=LANGUAGES,
                           fields=EDITABLE, diff=_diff, form=None)


@bp.post("/<article_id>")
@requires(*EDITORS)
def edit(article_id: str):
    session = db.session()
    current = services().knowledge.article(session, article_id)
    if current is None:
        abort(404)
    content = _content(request.form)
    try:
        edit_article(session, services().knowledge, article_id, content, current_principal().actor, services().now())
    except EditRefused as refused:
        session.rollback()
        flash(_("Not saved: %(reason)s", reason=str(refused)), "error")
        return render_template("console/article.html", article=current, changes=history(session, article_id),
                               may_edit=True, lang=language(), text_languages=LANGUAGES, fields=EDITABLE, diff=_diff,
                               form=content), 400
    session.commit()
    flash(_("Saved. Callers hear the new text from now on."), "success")
    return redirect(url_for("console_knowledge.article", article_id=article_id))


def _content(form) -> dict:
    content: dict = {field: {lang: (form.get(f"{field}_{lang}") or "").strip()[:2000] for lang in LANGUAGES}
                     for field in ("title", "spoken", "answer")}
    content["asks"] = [line.strip()[:200] for line in (form.get("asks") or "").splitlines() if line.strip()][:20]
    return content


def _diff(change) -> list[tuple[str, str, str]]:
    """What one change altered: (what, before, after), as text in the page's words."""
    fields = {"title": _("Title"), "spoken": _("What the caller hears"), "answer": _("Full answer (SMS)"),
              "asks": _("How people ask")}
    languages = {"zh-CN": _("Chinese"), "en-US": _("English")}
    changed = []
    for field in EDITABLE:
        before, after = change.before.get(field), change.after.get(field)
        if before == after:
            continue
        if isinstance(before, dict) or isinstance(after, dict):
            for lang in LANGUAGES:
                old, new = (before or {}).get(lang, ""), (after or {}).get(lang, "")
                if old != new:
                    changed.append((f"{fields[field]} · {languages[lang]}", old, new))
        else:
            changed.append((fields[field], " · ".join(before or ()), " · ".join(after or ())))
    return changed

