"""The monthly assessment in the console: the report page, drill-downs, exports, notices.

Supervisors, dispatchers and administrators see every department; department staff see their
own department only (its row, its place in the ranking, its cases); operators and inspectors
are refused. Registered by the application factory (``app.register_blueprint(reports.views.bp)``).
"""
from __future__ import annotations

import time
from functools import wraps
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from console.auth import current_principal, requires
from console.i18n import language, local_time
from console.labels import SEAT_STATE
from console.navigation import NavItem
from database import db
from operators.seats import STATES
from reports import exports, services
from reports.callcentre import REFUSED_BY_REASON, CallIndicator, CallMeasure, seconds_text
from reports.callcentre import TARGETS as CALL_TARGETS
from reports.enquiries import direct_answers
from reports.indicators import ALL, LOWER_IS_BETTER, Indicator, Measure
from reports.settings import AssessmentSettings
from reports.tables import (
    CALL_TABLES,
    CALL_TITLES,
    COUNTS,
    INDICATOR_TITLES,
    VIEW_TITLES,
    Names,
    call_table,
    cases_table,
    counts_table,
    indicator_table,
    summary_table,
    unplaced_text,
)
from reports.wallboard import wallboard as figures_now
from routing.periods import is_month
from web.charts import ChartWords, Series, trend_chart
from wiring import services as app_services

bp = Blueprint("reports", __name__, url_prefix="/console/reports", template_folder="templates",
               static_folder="static", static_url_path="/static")

ROLES = ("supervisor", "dispatcher", "department")   # admins pass every check
DEPARTMENT_VIEWS = ("departments", "hotline", "others")
BREAKDOWNS = ("lines", "categories")
TABLES = ("summary", "departments", "hotline", "others", "departments-counts", "channels", *BREAKDOWNS,
          *CALL_TABLES)
PAGE_TABLES = tuple(t for t in TABLES if t not in BREAKDOWNS)   # lines and categories have a page of their own

MENU_ENTRY = NavItem("reports.index", _l("Reports"),
                     _l("Monthly assessment of departments: indicators, ranking, trends, exports"), ROLES)

# The wallboard is the console's (/console/wallboard), for the people who answer and route calls.
wallboard_bp = Blueprint("wallboard", __name__, url_prefix="/console", template_folder="templates")
WALLBOARD_ROLES = ("operator", "supervisor", "dispatcher")
WALLBOARD_ENTRY = NavItem("wallboard.wallboard", _l("Wallboard"),
                          _l("Today's call-centre figures for a wall screen, live"), WALLBOARD_ROLES)
# How often the wallboard asks for its figures, in milliseconds.
WALLBOARD_POLL_MS = 5000


def assessment_settings(app=None) -> AssessmentSettings:
    """The assessment's settings, read and checked when the app started."""
    settings = app_services(app).assessment
    assert settings is not None, "create_app reads assessment.yaml at start"
    return settings


# A month's assessment is kept by the process for a while, so that the drill-downs, exports and
# notices opened from the page do not count the month again: a month that has ended for a
# quarter of an hour (it cannot change), the current month for a minute.
_KEPT_SETTLED, _KEPT_OPEN, _KEPT_MONTHS = 900.0, 60.0, 3


def _assessment(label: str) -> services.Assessment:
    settings = assessment_settings()
    kept = app_services().assessments_kept
    key = (label, services.fingerprint(settings))
    found = kept.get(key)
    if found is not None and time.monotonic() < found[0]:
        return found[1]
    assessment = services.with_calls(db.session(), services.assessment(db.session(), settings, label))
    settled = assessment.period.end + services.SETTLED_AFTER <= app_services().now()
    kept[key] = (time.monotonic() + (_KEPT_SETTLED if settled else _KEPT_OPEN), assessment)
    for old in sorted(kept, key=lambda k: kept[k][0])[:-_KEPT_MONTHS]:
        kept.pop(old, None)
    return assessment


def _names() -> Names:
    return Names(app_services().config, language())


def _scope() -> str | None:
    """The department the viewer is limited to, or None for the whole city."""
    principal = current_principal()
    if principal.role != "department":
        return None
    if not principal.department_code:
        abort(403)
    return principal.department_code


def _month(view):
    @wraps(view)
    def checked(label: str, **kwargs):
        if not is_month(label):
            abort(404)
        return view(label, **kwargs)
    return checked


@bp.get("/")
@requires(*ROLES)
def index():
    """The last month that has ended."""
    settings = assessment_settings()
    today = app_services().now().astimezone(ZoneInfo(settings.time_zone))
    year, number = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return redirect(url_for("reports.monthly", label=f"{year:04d}-{number:02d}"))


@bp.get("/<label>")
@requires(*ROLES)
@_month
def monthly(label: str):
    if request.args.get("month") and is_month(request.args["month"]):
        return redirect(url_for("reports.monthly", label=request.args["month"]))
    settings = assessment_settings()
    scope = _scope()
    rank_by = _indicator(request.args.get("rank")) or settings.rank_by
    assessment = _assessment(label)
    names = _names()
    state = month_state(assessment, app_services().now())
    # Enquiries are the centre's, not a department's: the centre's staff see 直办率.
    enquiries = _direct_answers(assessment.period) if scope is None and state != "future" else None
    # The call-centre figures are the centre's too; shown when any call reached a queue.
    calls = scope is None and state != "future" and _any_calls(assessment)
    if state in ("future", "empty"):
        # Nothing to count: say so, rather than show tables of dashes.
        return render_template(
            "reports/monthly.html", assessment=assessment, label=label, state=state, scope=scope,
            scope_name=names.department(scope), previous=_shift(label, -1), following=_shift(label, 1),
            period_text=_period_text(assessment.period, settings), keep={}, enquiries=enquiries,
            tables=_tables(assessment, names, scope, rank_by, wanted=CALL_TABLES) if calls else {},
            headings=_headings(settings), calls=calls)
    tables = _tables(assessment, names, scope, rank_by,
                     wanted=PAGE_TABLES if calls else tuple(t for t in PAGE_TABLES if t not in CALL_TABLES))
    trend = services.trend(db.session(), settings, label, app_services().now(), shown=assessment)
    db.session().commit()   # only the settled months' figures, kept for the next view
    charts = _charts(trend, settings, names, scope)
    return render_template(
        "reports/monthly.html", assessment=assessment, label=label, tables=tables, charts=charts, scope=scope,
        scope_name=names.department(scope), rank_by=rank_by, indicators=INDICATOR_TITLES,
        previous=_shift(label, -1), following=_shift(label, 1), departments=_departments(assessment, scope),
        settings=settings, headings=_headings(settings), period_text=_period_text(assessment.period, settings),
        keep={"rank": rank_by.value} if rank_by != settings.rank_by else {}, pending=trend.pending, state=state,
        enquiries=enquiries, calls=calls)


def _any_calls(assessment: services.Assessment) -> bool:
    total = assessment.calls["line"].all if assessment.calls else None
    return total is not None and bool(total.count(CallMeasure.ASKED) or total.callbacks_owed)


def _direct_answers(period) -> list[dict]:
    """直办率 per line, then all lines, as the page shows it."""
    lines, shown_in = app_services().config.lines, language()
    return [{"line": row.line, "name": lines[row.line].name(shown_in) if row.line in lines else _("All lines"),
             "enquiries": row.enquiries, "answered": row.answered, "escalated": row.escalated,
             "operator": row.operator, "rate": row.percent()}
            for row in direct_answers(db.reader(), period)]


@bp.get("/<label>/by/<view>")
@requires(*ROLES)
@_month
def breakdown(label: str, view: str):
    """The month's figures by line or by category (the city's; not for department staff)."""
    settings = assessment_settings()
    if view not in BREAKDOWNS:
        abort(404)
    if _scope() is not None:
        abort(403)
    assessment = _assessment(label)
    tables = _tables(assessment, _names(), None, settings.rank_by, wanted=(view,))
    return render_template("reports/breakdown.html", table=tables[view], label=label, headings=_headings(settings),
                           views=BREAKDOWNS, view=view)


@bp.get("/<label>/<table>.<fmt>")
@requires(*ROLES)
@_month
def export(label: str, table: str, fmt: str):
    settings = assessment_settings()
    scope = _scope()
    if fmt not in ("csv", "xlsx"):
        abort(404)
    assessment = _assessment(label)
    # The whole report: the call-centre tables too when any call reached a queue in the month.
    wanted = (TABLES if _any_calls(assessment) else tuple(t for t in TABLES if t not in CALL_TABLES)) \
        if table == "report" else (table,)
    tables = _tables(assessment, _names(), scope, _indicator(request.args.get("rank")) or settings.rank_by, wanted)
    if table == "report":
        chosen = list(tables.values())
        if fmt == "csv":
            abort(404)   # one CSV holds one table; the workbook holds them all
    elif table in tables:
        chosen = [tables[table]]
    else:
        abort(403 if table in TABLES else 404)   # a table that is there, but not for department staff
    return _download(chosen, f"assessment-{label}-{table}", fmt)


@bp.get("/<label>/cases")
@requires(*ROLES)
@_month
def cases(label: str):
    """The cases behind one figure: an indicator's numerator, denominator or shortfall, or a count."""
    settings = assessment_settings()
    scope = _scope()
    view = request.args.get("view", "departments")
    key = request.args.get("key", ALL)
    indicator = _indicator(request.args.get("indicator"))
    measure = _measure(request.args.get("measure"))
    part = request.args.get("part", "denominator")
    if view not in services.VIEWS or (indicator is None) == (measure is None) or part not in services.PARTS:
        abort(404)
    if scope is not None and (view not in DEPARTMENT_VIEWS or key != scope):
        abort(403)
    assessment = _assessment(label)
    try:
        row = assessment.row(view, key if key == ALL else (key or None))
    except KeyError:
        abort(404)
    ids = services.figure_cases(row, indicator, measure, part)
    names = _names()
    report = assessment.reports[view]
    row_name = names.key(report.by, row.key if key != ALL else ALL)
    what = str(INDICATOR_TITLES[indicator]) if indicator else _("%(measure)s (count)", measure=_count_title(measure))
    part_title = _PART_TITLES[part] if indicator else _("cases")
    title = f"{what}: {part_title} · {row_name} · {VIEW_TITLES[view]} · {label}"
    counted = row.figures[indicator].numerator if indicator is not None and part == "denominator" else None
    table = cases_table(title, services.cases_behind(db.session(), ids), names, settings.time_zone, counted)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return _download([table], f"assessment-{label}-cases", fmt)
    figure = row.figures[indicator] if indicator is not None else None
    return render_template("reports/cases.html", table=table, label=label, view=view, key=key,
                           indicator=indicator, measure=measure, part=part, figure=figure, row_name=row_name,
                           what=what, parts=_PART_TITLES, view_title=VIEW_TITLES[view],
                           keep={name: value for name, value in request.args.items()
                                 if name in ("view", "key", "indicator", "measure", "part")})


@bp.get("/<label>/notice/<department>")
@requires(*ROLES)
@_month
def notice(label: str, department: str):
    """A department's monthly notice (月度考核通报), laid out for printing."""
    settings = assessment_settings()
    scope = _scope()
    if scope is not None and department != scope:
        abort(403)
    names = _names()
    if department not in app_services().config.departments:
        abort(404)
    assessment = _assessment(label)
    rows = {}
    for view in DEPARTMENT_VIEWS:
        try:
            rows[view] = assessment.reports[view].row(department)
        except KeyError:
            rows[view] = None
    ranking = assessment.ranking("departments")
    placing = next((p for p in ranking if p.key == department), None)
    place = placing.place if placing else None
    unplaced = unplaced_text(placing, settings.minimum_to_rank) if placing and place is None else None
    placed = sum(1 for p in ranking if p.place is not None)
    missed = []
    if rows["departments"] is not None:
        row = rows["departments"]
        ids = (row.figures[Indicator.DISPOSAL_RATE].denominator - row.figures[Indicator.DISPOSAL_RATE].numerator) | (
            row.figures[Indicator.ON_TIME_DISPOSAL_RATE].denominator
            - row.figures[Indicator.ON_TIME_DISPOSAL_RATE].numerator)
        missed = cases_table(_("Cases that missed or were late for their disposal deadline"), services.cases_behind(
            db.session(), ids), names, settings.time_zone,
            lateness=services.lateness(db.session(), ids, assessment.period), now=app_services().now())
    trend = services.trend(db.session(), settings, label, app_services().now())
    db.session().commit()
    charts = _charts(trend, settings, names, department,
                     indicators=(Indicator.DISPOSAL_RATE, Indicator.ON_TIME_DISPOSAL_RATE))
    return render_template(
        "reports/notice.html", label=label, department=department, department_name=names.department(department),
        rows=rows, totals=None if scope else assessment.reports["departments"].all, place=place, placed=placed,
        unplaced=unplaced,
        future=app_services().now() < assessment.period.start,
        indicators=INDICATOR_TITLES, settings=settings, missed=missed, charts=charts, scope=scope,
        lower_is_better=LOWER_IS_BETTER, generated=app_services().now().astimezone(ZoneInfo(settings.time_zone)))


# --- helpers -------------------------------------------------------------------------------------

def month_state(assessment: services.Assessment, now) -> str:
    """"future" (the month has not begun), "empty" (no case concerned it), "open" (it has not
    ended: the figures will still change) or "ended"."""
    period = assessment.period
    if now < period.start:
        return "future"
    if not any(assessment.reports["departments"].all.cases.values()):
        return "empty"
    return "open" if now < period.end else "ended"


_PART_TITLES = {"numerator": _l("counted"), "denominator": _l("all cases"), "shortfall": _l("not counted")}


def _count_title(measure: Measure) -> str:
    return str(COUNTS[measure]) if measure in COUNTS else measure.value.replace("_", " ")


def _tables(assessment, names: Names, scope: str | None, rank_by: Indicator, wanted=TABLES) -> dict:
    """The tables by id, in page order (only those ``wanted``: each is made when asked for);
    department staff get their own rows only, and none of the city-wide breakdowns."""
    makers = {
        "summary": lambda: summary_table(assessment, names),
        "departments": lambda: indicator_table(assessment, "departments", names, only=scope, ranked=True,
                                               rank_by=rank_by),
        "hotline": lambda: indicator_table(assessment, "hotline", names, only=scope),
        "others": lambda: indicator_table(assessment, "others", names, only=scope),
        "departments-counts": lambda: counts_table(assessment, "departments", names, only=scope),
        "channels": lambda: indicator_table(assessment, "channels", names),
        "lines": lambda: indicator_table(assessment, "lines", names),
        "categories": lambda: indicator_table(assessment, "categories", names),
    }
    for name, by in CALL_TABLES.items():
        makers[name] = lambda by=by: call_table(assessment.calls[by], names, assessment.label)
    city_only = {"summary", "channels", "lines", "categories", *CALL_TABLES}
    return {name: makers[name]() for name in TABLES if name in wanted and not (scope and name in city_only)}


def _charts(trend: services.Trend, settings: AssessmentSettings, names: Names, department: str | None,
            indicators=tuple(Indicator)) -> list[Markup]:
    """A chart per indicator: the city's cases, the hotline's and the other channels'; or, for
    one department, its own line only."""
    if department is None:
        wanted = [(services.SERIES_ALL, _("All cases")), (services.SERIES_HOTLINE, _("Hotline")),
                  (services.SERIES_OTHERS, _("Other channels"))]
    else:
        wanted = [(department, names.department(department))]
    words = chart_words()
    charts = []
    for indicator in indicators:
        series = []
        for name, title in wanted:
            points = trend.points(name, indicator)
            series.append(Series(title, [p.ratio for p in points],
                                 [_("not counted yet") if p.denominator is None else
                                  _("%(numerator)d of %(denominator)d cases", numerator=p.numerator,
                                    denominator=p.denominator) for p in points]))
        target = settings.targets.get(indicator)
        charts.append(Markup(trend_chart(
            str(INDICATOR_TITLES[indicator]), trend.months, series, None if target is None else float(target) / 100,
            lower_is_better=indicator in LOWER_IS_BETTER, chart_id=f"trend-{indicator.value}", words=words)))
    return charts


def _headings(settings: AssessmentSettings) -> dict[str, tuple[str, str]]:
    """Each indicator's column heading and its target, e.g. ("处置率", "目标 ≥ 90%")."""
    headings = {}
    for indicator, title in INDICATOR_TITLES.items():
        target = settings.targets.get(indicator)
        sign = "≤" if indicator in LOWER_IS_BETTER else "≥"
        headings[indicator.value] = (str(title), _("target %(sign)s %(target)s%%", sign=sign, target=target)
                                     if target is not None else "")
    for call_indicator, title in CALL_TITLES.items():
        target = CALL_TARGETS.get(call_indicator.value)
        headings[call_indicator.value] = (str(title), _("target %(sign)s %(target)s%%", sign="≥", target=target)
                                          if target is not None else "")
    return headings


def chart_words() -> ChartWords:
    """The charts' own words, in the reader's language."""
    return ChartWords(
        months=tuple(str(m) for m in (_("Jan"), _("Feb"), _("Mar"), _("Apr"), _("May"), _("Jun"), _("Jul"),
                                      _("Aug"), _("Sep"), _("Oct"), _("Nov"), _("Dec"))),
        y_title=_("Percent of cases"), target=_("target %(sign)s %(target)s", sign="{sign}", target="{value}"),
        description=_("%(series)s: from %(first)s in %(first_month)s to %(last)s in %(last_month)s",
                      series="{series}", first="{first}", first_month="{first_month}", last="{last}",
                      last_month="{last_month}"),
        nothing=_("no figures in these months"))


def _period_text(period, settings: AssessmentSettings) -> str:
    zone = ZoneInfo(settings.time_zone)
    start, end = period.start.astimezone(zone), period.end.astimezone(zone)
    shown = "%Y-%m-%d %H:%M"
    return _("%(start)s to %(end)s (%(zone)s)", start=start.strftime(shown), end=end.strftime(shown),
             zone=settings.time_zone)


def _departments(assessment, scope: str | None) -> list[str]:
    """The departments offered a printable notice."""
    if scope is not None:
        return [scope]
    return [row.key for row in assessment.reports["departments"].rows if row.key is not None]


def _download(tables, name: str, fmt: str) -> Response:
    if fmt == "csv":
        body, mimetype = exports.to_csv(tables[0]), exports.CSV_TYPE
    else:
        body, mimetype = exports.to_xlsx(tables), exports.XLSX_TYPE
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _indicator(value: str | None) -> Indicator | None:
    try:
        return Indicator(value) if value else None
    except ValueError:
        abort(404)


def _measure(value: str | None) -> Measure | None:
    try:
        return Measure(value) if value else None
    except ValueError:
        abort(404)


def _shift(label: str, months: int) -> str:
    year, number = map(int, label.split("-"))
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --- the wallboard ---------------------------------------------------------------------------------

# The wallboard's words, each said in Chinese with the English beside it, whatever the reader chose:
# a wall screen is read by everyone in the room.
WALLBOARD_WORDS = {
    "title": _l("Call-centre wallboard"), "today": _l("Today so far"),
    "offered": _l("Calls offered"), "answered": _l("Calls answered"), "abandoned": _l("Calls abandoned"),
    "within": _l("Answered within 15 s"), "wait": _l("Average wait"), "handling": _l("Average handling time"),
    "waiting": _l("Callers waiting now"), "longest": _l("Longest waiting now"), "seats": _l("Operators"),
    "refused": _l("Refused a person"),
    "lost": _l("connection lost, retrying…"), "updated": _l("updated"),
}


def _both(text) -> dict[str, str]:
    """A catalogue word in Chinese and in English."""
    said = {}
    for locale in ("zh_CN", "en_US"):
        with force_locale(locale):
            said[locale] = str(text)
    return said


@wallboard_bp.get("/wallboard")
@requires(*WALLBOARD_ROLES)
def wallboard():
    words = {key: _both(text) for key, text in WALLBOARD_WORDS.items()}
    states = [(state, _both(SEAT_STATE[state])) for state in STATES]
    return render_template("reports/wallboard.html", words=words, states=states, poll_ms=WALLBOARD_POLL_MS)


@wallboard_bp.get("/wallboard.json")
@requires(*WALLBOARD_ROLES)
def wallboard_json():
    """Today's figures so far, the queues and the seats now (the page polls this)."""
    settings = assessment_settings()
    # Read-only, as the live board's poll: on SQLite it never takes the write lock.
    board = figures_now(db.reader(), settings.time_zone, app_services().now())
    total = board.today.all
    within = total.figures[CallIndicator.ANSWERED_WITHIN_15S]
    return {
        "day": board.today.period.label, "at": local_time(board.at, with_seconds=True),
        "offered": total.count(CallMeasure.OFFERED), "answered": total.count(CallMeasure.ANSWERED),
        "abandoned": total.count(CallMeasure.ABANDONED),
        "refused": total.count(CallMeasure.REFUSED),
        "refused_by_reason": {reason: total.count(measure) for reason, measure in REFUSED_BY_REASON.items()},
        "answered_within_15s": {"percent": within.percent, "numerator": len(within.numerator),
                                "denominator": len(within.denominator)},
        "average_wait": seconds_text(total.average_wait), "average_wait_seconds": total.average_wait,
        "average_handling": seconds_text(total.average_handling),
        "average_handling_seconds": total.average_handling,
        "waiting": board.waiting, "longest_wait": seconds_text(board.longest_wait_seconds),
        "longest_wait_seconds": board.longest_wait_seconds,
        "seats": dict(board.seats),
    }
