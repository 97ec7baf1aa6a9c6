"""The supervisor's pages: the overdue list (督办) with *remind* and *mark as
supervised*, and the hotspots, places and categories reported again and
again.  Department staff and the other roles are refused (403), as elsewhere
in the console; the steps themselves are ``dispatch.supervision``'s."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from call_log.phones import mask_text
from cases.workflow import CaseNotFound
from console.auth import current_principal, requires
from console.i18n import language
from console.navigation import NavItem
from database import db
from dispatch import supervision
from web.charts import Series, count_chart
from wiring import services

bp = Blueprint("console_supervision", __name__, url_prefix="/console")

SUPERVISORS = ("supervisor",)          # admins pass every check
OVERDUE_ENTRY = NavItem("console_supervision.overdue", _l("Overdue"),
                        _l("Cases past or near their time limit, by department: remind, supervise"), SUPERVISORS)

HOTSPOTS_ENTRY = NavItem("console_supervision.hotspots", _l("Hotspots"),
                         _l("Places and categories reported again and again in recent weeks"),
                         ("supervisor", "dispatcher"))

# The busiest few get a line on the charts (their legend fits the chart's width); the tables list all.
CHART_LINES = 3


@bp.get("/overdue/")
@requires(*SUPERVISORS)
def overdue():
    now = services().now()
    watches = supervision.overdue(db.reader(), now)
    return render_template("console/overdue.html", watches=watches, now=now, config=services().config,
                           mask_text=mask_text, within_hours=int(supervision.DUE_SOON.total_seconds() // 3600))


@bp.post("/overdue/<number>/remind")
@requires(*SUPERVISORS)
def remind(number: str):
    session = db.session()
    config = services().config
    try:
        case, notified = supervision.remind(session, config, current_principal(), number, services().now(),
                                            request.form.get("note"))
    except (CaseNotFound, supervision.NotWatched, supervision.NoDepartment, supervision.RemindedJustNow) as refused:
        session.rollback()
        flash(_refusal(refused, number), "error")
        return redirect(url_for("console_supervision.overdue"))
    session.commit()
    department = config.departments.get(case.department_code or "")
    name = department.name(language()) if department else case.department_code
    if notified:
        flash(_("%(department)s has been reminded of case %(number)s.", department=name, number=number), "ok")
    else:
        flash(_("The reminder of case %(number)s is in its history, but %(department)s has no system to notify: "
                "call its duty line %(phone)s.", number=number, department=name,
                phone=(department.duty_number if department and department.duty_number else "—")), "ok")
    return redirect(url_for("console_supervision.overdue"))


@bp.post("/overdue/<number>/supervise")
@requires(*SUPERVISORS)
def supervise(number: str):
    session = db.session()
    try:
        supervision.supervise(session, current_principal(), number, services().now(), request.form.get("note"))
    except (CaseNotFound, supervision.NotWatched) as refused:
        session.rollback()
        flash(_refusal(refused, number), "error")
        return redirect(url_for("console_supervision.overdue"))
    session.commit()
    flash(_("Case %(number)s is marked as supervised.", number=number), "ok")
    return redirect(url_for("console_supervision.overdue"))


@bp.get("/hotspots/")
@requires("supervisor", "dispatcher")
def hotspots():
    now, config = services().now(), services().config
    zone = services().hotline.default_line().time_zone
    weeks, places, categories = supervision.hotspots(db.reader(), now, zone)
    labels = [f"{start:%m-%d}" for start in weeks.starts]
    reader_language = language()

    def category_name(code: str) -> str:
        category = config.categories.get(code)
        return f"{code} {category.name(reader_language)}" if category else code

    charts = []
    for kind, found, name in (("places", places, lambda h: mask_text(h.place or h.key)),
                              ("categories", categories, lambda h: category_name(h.key))):
        if found:
            series = [Series(_short(name(h)), list(h.weekly),
                             [ngettext("%(num)d report", "%(num)d reports", n) for n in h.weekly])
                      for h in found[:CHART_LINES]]
            title = _("Reports a week at the busiest places") if kind == "places" else \
                _("Reports a week in the busiest categories")
            charts.append(Markup(count_chart(title, labels, series, _("reports"), chart_id=f"hotspots-{kind}")))
    return render_template("console/hotspots.html", weeks=weeks, places=places, categories=categories,
                           charts=charts, config=config, mask_text=mask_text, category_name=category_name,
                           minimum=supervision.HOTSPOT_MINIMUM, now=now)


def _short(text: str, length: int = 10) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def _refusal(error: Exception, number: str) -> str:
    if isinstance(error, CaseNotFound):
        return _("There is no case %(number)s.", number=number)
    if isinstance(error, supervision.NoDepartment):
        return _("Case %(number)s is with no department yet: dispatch it first.", number=number)
    if isinstance(error, supervision.RemindedJustNow):
        return _("The department was reminded of case %(number)s a few minutes ago.", number=number)
    return _("The time limit of case %(number)s is not running: there is nothing to supervise.", number=number)
