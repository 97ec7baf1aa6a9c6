"""``flask --app app report``: a month's assessment in the terminal, as CSV, or as JSON.

    flask --app app report --month 2026-10
    flask --app app report --month 2026-10 --department DRAIN
    flask --app app report --month 2026-10 --view hotline --format csv > hotline.csv
    flask --app app report --month 2026-10 --view enquiries      (直办率, per line)

and ``flask --app app callbacks satisfaction --month 2026-10``: satisfaction from the outcome
surveys (``satisfaction_command``, which ``create_app`` adds to the callbacks group).
"""
from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import click
from flask import current_app
from flask.cli import with_appcontext

from database import db
from reports import services
from reports.callcentre import ANSWER_WITHIN, CallIndicator, CallMeasure, CallRow, seconds_text
from reports.callcentre import TARGETS as CALL_TARGETS
from reports.enquiries import direct_answers
from reports.exports import to_csv
from reports.indicators import ALL, LOWER_IS_BETTER, Figure, Indicator, Row
from reports.satisfaction import BY, satisfaction
from reports.settings import AssessmentSettings
from reports.tables import (
    COUNTS,
    INDICATOR_TITLES,
    SHORT_TITLES,
    Names,
    call_key_name,
    indicator_table,
    shown_indicators,
    unplaced_text,
)
from routing.periods import FIRST_YEAR, LAST_YEAR, is_month, month
from wiring import services as app_services


@click.command("report")
@click.option("--month", "label", required=True, metavar="YYYY-MM", help="The month, e.g. 2026-10.")
@click.option("--department", metavar="CODE", help="Only this department's figures.")
@click.option("--view", type=click.Choice([*services.VIEWS, "enquiries"]), default="departments",
              show_default=True,
              help="Departments over all channels, the hotline's cases, the other channels', or by channel, "
                   "line or category; or the enquiries answered directly (直办率) per line.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--trend", is_flag=True, help="Also count the trend charts' months now (kept once settled).")
@click.option("--refresh", is_flag=True, help="Forget the month's kept trend figures first (after correcting "
                                              "its history), so they are counted again.")
@with_appcontext
def report_command(label: str, department: str | None, view: str, fmt: str, trend: bool, refresh: bool) -> None:
    """The monthly assessment: each indicator per department (or line, channel, category)."""
    if not is_month(label):
        raise click.BadParameter(f"write the month as YYYY-MM, e.g. 2026-10, from {FIRST_YEAR}-01 to "
                                 f"{LAST_YEAR}-12", param_hint="--month")
    config = app_services().config
    if department is not None:
        if department not in config.departments:
            raise click.BadParameter(f"no department {department!r}; one of {', '.join(config.departments)}",
                                     param_hint="--department")
        if view not in ("departments", "hotline", "others"):
            raise click.BadParameter("--department goes with --view departments, hotline or others",
                                     param_hint="--view")
    settings = app_services(current_app).assessment
    if view == "enquiries":
        _enquiries_report(label, settings, config, fmt)
        return
    names = Names(config)
    with db.session_scope(current_app) as session:
        if refresh:
            services.forget(session, label)
        assessment = services.with_calls(session, services.assessment(session, settings, label))
        if trend:
            counted = services.trend(session, settings, label, app_services().now(), assessment,
                                     budget=float("inf"))
            click.echo(f"trend: {len(counted.months)} months counted ({counted.months[0]} to {counted.months[-1]})",
                       err=True)
    report = assessment.reports[view]
    if fmt == "csv":
        table = indicator_table(assessment, view, names, only=department, ranked=view == "departments")
        click.echo(to_csv(table).decode("utf-8").lstrip("\ufeff"), nl=False)
        return
    ranking = assessment.ranking(view) if report.by == "department" else []
    places = {p.key: p.place for p in ranking}
    # Why a department has no place (too few cases, or none), in the same words as the page.
    unplaced = {p.key: unplaced_text(p, settings.minimum_to_rank) for p in ranking if p.place is None}
    rows = [row for row in report.rows if department is None or row.key == department]
    if fmt == "json":
        document = {"month": label, "view": view, "by": report.by, "time_zone": settings.time_zone,
                    "rank_by": settings.rank_by.value,
                    "minimum_to_rank": settings.minimum_to_rank,
                    "rows": [_row_json(row, names, report.by, places.get(row.key), unplaced=unplaced.get(row.key))
                             for row in rows]}
        if department is None:
            document["all"] = _row_json(report.all, names, report.by, None, key=ALL)
            document["call_centre"] = _calls_json(assessment, names)
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if department is not None:
        click.echo(_department_text(assessment, view, rows[0] if rows else None, names, department, places, settings,
                                    unplaced.get(department)))
    else:
        click.echo(_table_text(assessment, view, rows, report.all, names, places, unplaced))
        click.echo(_calls_text(assessment, names))


def _enquiries_report(label: str, settings: AssessmentSettings, config, fmt: str) -> None:
    with db.session_scope(current_app) as session:
        rows = direct_answers(session, month(label, settings.time_zone))
    names = {line_id: line.name("zh-CN") for line_id, line in config.lines.items()}
    if fmt == "json":
        click.echo(json.dumps({"month": label, "view": "enquiries", "rows": [
            {"line": row.line, "enquiries": row.enquiries, "answered": row.answered, "escalated": row.escalated,
             "operator": row.operator, "direct_answer_rate": row.percent()} for row in rows]},
            ensure_ascii=False, indent=2))
        return
    separator = "," if fmt == "csv" else "  "
    lines = [separator.join(("line", "enquiries", "answered", "escalated", "operator", "direct_answer_rate"))]
    if fmt != "csv":
        lines.insert(0, f"Enquiries answered directly 直办率 · {label}")
    for row in rows:
        lines.append(separator.join((names.get(row.line, row.line) if fmt != "csv" else row.line,
                                     str(row.enquiries), str(row.answered), str(row.escalated),
                                     str(row.operator), row.percent())))
    click.echo("\n".join(lines))


def _row_json(row: Row, names: Names, by: str, place: int | None, key=None, unplaced: str | None = None) -> dict:
    key = row.key if key is None else key
    return {
        "key": key, "name": names.key(by, key), "place": place, "not_placed": unplaced,
        "indicators": {indicator.value: _figure_json(row.figures[indicator]) for indicator in Indicator},
        "counts": {measure.value: row.count(measure) for measure in COUNTS},
        "average_handling_hours": row.handling_time.average,
    }


def _calls_json(assessment, names: Names) -> dict:
    """The month's call-centre figures per line, operator, day and hour (docs/reports.md)."""
    def row_json(row: CallRow, by: str) -> dict:
        return {
            "key": row.key, "name": call_key_name(names, by, row.key),
            "counts": {measure.value: row.count(measure) for measure in CallMeasure},
            "indicators": {indicator.value: _figure_json(figure) for indicator, figure in row.figures.items()},
            "average_wait_seconds": row.average_wait, "average_handling_seconds": row.average_handling,
            "callbacks": {"owed": len(row.callbacks_owed), "made": len(row.callbacks_made & row.callbacks_owed)},
        }
    document = {"time_zone": assessment.settings.time_zone,
                "answer_within_seconds": int(ANSWER_WITHIN.total_seconds()),
                "targets": {name: float(value) for name, value in CALL_TARGETS.items()}}
    for by, report in assessment.calls.items():
        document[by] = {"rows": [row_json(row, by) for row in report.rows], "all": row_json(report.all, by)}
    return document


def _calls_text(assessment, names: Names) -> str:
    """The call-centre figures per line, operator and day, as the terminal shows them."""
    header = ["", "Offered", "Answered", "Abandoned", "Refused", "Answer rate", "≤15 s", "24 h connected", "Avg wait",
              "Avg handling", "Callbacks made"]
    out = ["", f"Call-centre figures {assessment.label} (waits and handling as m:ss; ≤15 s and 24 h connected are "
               "shares of the calls offered; refused: asked for a person and refused, by operator in the total only)"]
    for by in ("line", "operator", "day"):
        report = assessment.calls.get(by)
        if report is None:
            continue
        lines = []
        for row in (*report.rows, report.all):
            figures = row.figures
            made = figures[CallIndicator.CALLBACKS_MADE]
            lines.append([call_key_name(names, by, row.key), str(row.count(CallMeasure.OFFERED)),
                          str(row.count(CallMeasure.ANSWERED)), str(row.count(CallMeasure.ABANDONED)),
                          str(row.count(CallMeasure.REFUSED)), figures[CallIndicator.ANSWER_RATE].percent or "–",
                          figures[CallIndicator.ANSWERED_WITHIN_15S].percent or "–",
                          figures[CallIndicator.CONNECTION_RATE_24H].percent or "–",
                          seconds_text(row.average_wait), seconds_text(row.average_handling),
                          f"{len(made.numerator)}/{len(made.denominator)}"])
        titled = [by.capitalize()] + header[1:]
        widths = [max(_width(cell) for cell in column) for column in zip(titled, *lines, strict=True)]
        out += ["", _line(titled, widths, 1), _line(["-" * w for w in widths], widths, 1)]
        out += [_line(line, widths, 1) for line in lines]
    return "\n".join(out)


def _figure_json(figure: Figure) -> dict:
    return {"percent": figure.percent, "numerator": len(figure.numerator), "denominator": len(figure.denominator)}


def _table_text(assessment, view: str, rows: list[Row], total: Row, names: Names, places: dict,
                unplaced: dict) -> str:
    by = assessment.reports[view].by
    indicators = shown_indicators(by)
    header = ["#", by.capitalize()] + [SHORT_TITLES[i] for i in indicators] + ["Avg h"]
    lines = []
    ordered = sorted(rows, key=lambda row: (places.get(row.key) is None, places.get(row.key) or 0, row.key or ""))
    for row in ordered + [total]:
        is_total = row is total
        place = "" if is_total or places.get(row.key) is None else str(places[row.key])
        name = names.key(by, ALL if is_total else row.key)
        average = row.handling_time.average
        lines.append([place, name] + [row.figures[i].percent or "–" for i in indicators]
                     + ["–" if average is None else f"{average:.1f}"])
    widths = [max(_width(cell) for cell in column) for column in zip(header, *lines, strict=True)]
    title = (f"Monthly assessment {assessment.label} · {view} · ranked by "
             f"{INDICATOR_TITLES[assessment.settings.rank_by]}")
    out = [title, "", _line(header, widths), _line(["-" * w for w in widths], widths)]
    out += [_line(line, widths) for line in lines]
    out.append("")
    for row in ordered:
        if row.key in unplaced:
            out.append(f"{names.key(by, row.key)}: {unplaced[row.key]}")
    out.append("Figures are percentages; --format json gives numerators and denominators, "
               "and the console links every figure to its cases.")
    return "\n".join(out)


def _department_text(assessment, view, row: Row | None, names: Names, department: str, places: dict,
                     settings: AssessmentSettings, unplaced: str | None = None) -> str:
    title = f"Monthly assessment {assessment.label} · {names.department(department)} · {view}"
    if row is None:
        return f"{title}\n\nNo case concerned this department this month."
    placed = sum(1 for place in places.values() if place is not None)
    place = places.get(department)
    ranked = (f"Place: {place} of {placed} by {INDICATOR_TITLES[settings.rank_by]}" if place
              else f"Place: {unplaced or 'not ranked'}")
    out = [title, ranked, ""]
    header = ["Indicator", "Figure", "Counted", "Of", "Target", ""]
    lines = []
    for indicator in shown_indicators("department"):
        figure = row.figures[indicator]
        target = settings.targets.get(indicator)
        meets = settings.meets_target(indicator, figure)
        sign = "≤" if indicator in LOWER_IS_BETTER else "≥"
        lines.append([INDICATOR_TITLES[indicator], figure.percent or "–", str(len(figure.numerator)),
                      str(len(figure.denominator)), f"{sign} {target}%" if target is not None else "",
                      "" if meets is None else ("meets" if meets else "MISSES TARGET")])
    widths = [max(_width(cell) for cell in column) for column in zip(header, *lines, strict=True)]
    out += [_line(header, widths, 1), _line(["-" * w for w in widths], widths, 1)]
    out += [_line(line, widths, 1) for line in lines]
    average = row.handling_time.average
    out += ["", "Average handling time: " + ("–" if average is None else f"{average:.1f} hours"),
            "Counts: " + ", ".join(f"{title.lower()} {row.count(measure)}" for measure, title in COUNTS.items())]
    return "\n".join(out)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _line(cells: list[str], widths: list[int], left: int = 2) -> str:
    """The first ``left`` columns aligned left, the figures right."""
    padded = []
    for number, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        pad = " " * (width - _width(cell))
        padded.append(cell + pad if number < left else pad + cell)
    return "  ".join(padded).rstrip()


@click.command("satisfaction")
@click.option("--month", "label", required=True, help="The month, as YYYY-MM, cut at local midnight.")
@click.option("--by", type=click.Choice(BY + ("both",)), default="both", show_default=True)
def satisfaction_command(label: str, by: str) -> None:
    """Satisfaction from the outcome surveys of a month, per department and per line."""
    app = current_app._get_current_object()
    config = app_services(app).config
    try:
        period = month(label, next(iter(config.lines.values())).time_zone)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--month") from None
    with db.session_scope(app) as session:
        for grouping in (BY if by == "both" else (by,)):
            click.echo(f"satisfaction by {grouping}, {label}")
            click.echo(f"  {grouping:12} {'surveyed':>8} {'satisfied':>9} {'basically':>9} {'not':>5} "
                       f"{'rate':>8} {'unreachable':>11}")
            for row in satisfaction(session, period, grouping):
                click.echo(f"  {row.key:12} {row.surveyed:>8} {row.satisfied:>9} {row.basically_satisfied:>9} "
                           f"{row.unsatisfied:>5} {_percent(row.rate()):>8} {row.unreachable:>11}")


def _percent(rate) -> str:
    if rate is None:
        return "-"
    value = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
