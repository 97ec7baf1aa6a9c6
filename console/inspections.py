"""The inspector's pages (监督员), made for a phone: the open tasks, and each
task's page with what was found (verify; check passed or failed), a note
and photos taken on site.

A report is kept whole or not at all: the photos are checked before
anything is written, and when the step is refused the files written are
removed, the transaction rolled back, and the page comes back with the note
as it was typed and the reason in words.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from call_log.phones import mask_text
from cases import inspections
from cases.evidence import PhotoFiles, report_with_photos
from cases.lifecycle import LifecycleError
from cases.models import InspectorTask
from cases.photos import MAX_PER_REPORT, PhotoRefused, Upload, check
from console.auth import current_principal, requires
from console.cases import refusal
from console.labels import STATUS, word
from console.navigation import NavItem
from database import db
from wiring import services

bp = Blueprint("console_tasks", __name__, url_prefix="/console")

MENU_ENTRY = NavItem("console_tasks.tasks", _l("Inspections"),
                     _l("Verify reports and check disposals on site, with photos"), ("inspector",))

# What each finding is called on its button, by task kind (cases.inspections.RESULTS).
FINDINGS = {
    "verify": (("confirmed", _l("The report is true: file it")),
               ("not_found", _l("No such problem found"))),
    "check": (("passed", _l("Check passed: close the case")),
              ("failed", _l("Check failed: send back for rework"))),
}


def photo_files() -> PhotoFiles:
    return PhotoFiles(current_app.config["SETTINGS"].photos)


@bp.get("/tasks/")
@requires("inspector")
def tasks():
    return render_template("console/tasks.html", tasks=inspections.open_tasks(db.reader()), mask_text=mask_text)


@bp.get("/tasks/<int:task_id>")
@requires("inspector")
def task_page(task_id: int):
    return _render(task_id)


@bp.post("/tasks/<int:task_id>")
@requires("inspector")
def report(task_id: int):
    """What the inspector found, with a note and photos."""
    settings = current_app.config["SETTINGS"]
    form, files = request.form, request.files.getlist("photos")
    note = (form.get("note") or "").strip()[:2000] or None
    result = (form.get("result") or "").strip()
    uploads = []
    for file in files:
        if not file.filename:
            continue            # the empty file field a form sends when nothing was chosen
        data = file.stream.read(settings.photo_max_bytes + 1)
        uploads.append(Upload(file.filename, data, truncated=len(data) > settings.photo_max_bytes))
    try:
        photos = check(uploads, settings.photo_max_bytes)
    except PhotoRefused as refused:
        return _render(task_id, note=note, error=_photo_refusal(refused, settings.photo_max_bytes), status=422)
    session, written, files_kept = db.session(), [], photo_files()
    principal = current_principal()
    try:
        case = report_with_photos(session, services().config, files_kept, task_id, result, principal.actor,
                                  services().now(), note, photos, written)
        session.commit()
    except (inspections.TaskError, LifecycleError) as refused:
        session.rollback()
        files_kept.remove(written)
        return _render(task_id, note=note, error=_task_refusal(refused, result), status=409)
    except Exception:
        session.rollback()
        files_kept.remove(written)
        raise
    flash(_("Case %(number)s: your finding is recorded with %(count)d photos. The case is now %(status)s.",
            number=case.number, count=len(photos), status=word(STATUS, case.status)), "ok")
    return redirect(url_for("console_tasks.tasks"))


def _largest_report(settings) -> int:
    """Every photo at its largest, and room for the form's other fields
    (web.guards.cap_request_size refuses a larger body before it is read)."""
    return settings.photo_max_bytes * MAX_PER_REPORT + 1024 * 1024


report.max_body = _largest_report


def _render(task_id: int, note: str | None = None, error: str | None = None, status: int = 200):
    session = db.reader()
    task = session.get(InspectorTask, task_id) if 0 < task_id < 2**31 else None
    if task is None:
        abort(404)
    case = task.case
    disposal = next((e for e in reversed(case.events) if e.action == "dispose"), None)
    return render_template(
        "console/task.html", task=task, case=case, findings=FINDINGS.get(task.kind, ()), note=note, error=error,
        disposal=disposal, config=services().config, now=services().now(), mask_text=mask_text,
        max_photos=MAX_PER_REPORT, max_bytes=current_app.config["SETTINGS"].photo_max_bytes,
        max_mb=current_app.config["SETTINGS"].photo_max_bytes // (1024 * 1024),
    ), status


def _photo_refusal(refused: PhotoRefused, max_bytes: int) -> str:
    name = refused.name or _("a file")
    if refused.code == "too_many":
        return _("Send at most %(count)d photos at a time.", count=MAX_PER_REPORT)
    if refused.code == "too_large":
        return _("%(name)s is too large: a photo must be under %(size)d MB.", name=name,
                 size=max_bytes // (1024 * 1024))
    if refused.code == "empty":
        return _("%(name)s is empty.", name=name)
    return _("%(name)s is not a photo: send JPEG, PNG or WebP pictures.", name=name)


def _task_refusal(refused: Exception, result: str) -> str:
    if isinstance(refused, LifecycleError):
        return refusal(refused, refused.action)
    message = str(refused)
    if "already" in message:
        return _("This task is already done: someone reported on it first. Nothing was saved.")
    if not result:
        return _("Choose what you found.")
    return _("That finding does not fit this task.")
