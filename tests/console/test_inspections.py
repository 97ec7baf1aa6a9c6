"""The inspector's pages: their open tasks at home, each task's page with
what was found, a note and photos; photos kept with the case and shown only
to those who may see it; a bad upload or a refused step keeps nothing and
says why, with the note still there."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from cases.models import Case, CasePhoto, InspectorTask
from database import db
from tests.console.conftest import csrf_token
from tests.support.factories import dispatched, report, step
from tests.support.pictures import jpeg_start, png
from wiring import services


@pytest.fixture
def disposed(app, clock):
    """A blocked sewer disposed by DRAIN: an open check task."""
    config = services(app).config
    with db.session_scope(app) as session:
        case = dispatched(session, config, clock(), description="下水道堵了，污水冒出来")
        step(session, config, case, "dispose", clock(), "department", note="已疏通")
        return case.number, case.tasks[-1].id


@pytest.fixture
def photo_dir(app):
    return app.config["SETTINGS"].photos


def send(client, task_id: int, result: str, note: str = "", photos=(), **more):
    token = csrf_token(client, f"/console/tasks/{task_id}")
    files = [(io.BytesIO(data), name) for name, data in photos]
    return client.post(f"/console/tasks/{task_id}", data={"csrf_token": token, "result": result, "note": note,
                                                          "photos": files, **more},
                       content_type="multipart/form-data")


def case_state(app, number: str) -> tuple[str, str, int]:
    with db.session_scope(app) as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        return case.status, case.tasks[-1].status, len(case.photos)


def files_in(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_inspector_home_lists_open_tasks_and_each_opens_its_page(client, sign_in, disposed):
    number, task_id = disposed
    sign_in("insp1")
    home = client.get("/console/").get_data(as_text=True)
    assert "你的巡查任务" in home and number in home and f"/console/tasks/{task_id}" in home
    page = client.get(f"/console/tasks/{task_id}").get_data(as_text=True)
    assert "核查处置" in page and "已疏通" in page          # what the department says it did
    assert "核查通过，结案" in page and "核查不通过，退回返工" in page
    assert 'name="viewport"' in page and 'type="file"' in page


def test_a_passed_check_with_photos_closes_the_case_and_keeps_them(app, client, sign_in, disposed, photo_dir):
    number, task_id = disposed
    sign_in("insp1")
    answer = send(client, task_id, "passed", "井盖已复位，路面干净",
                  photos=[("现场1.png", png()), ("现场2.jpg", jpeg_start())])
    assert answer.status_code == 302
    assert case_state(app, number) == ("closed", "done", 2)
    assert len(files_in(photo_dir)) == 2
    page = client.get(f"/console/cases/{number}").get_data(as_text=True)
    urls = re.findall(rf'src="(/console/cases/{number}/photos/\d+)"', page)
    assert len(urls) == 2 and "上传照片" in page
    shown = client.get(urls[0])
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == png()
    assert "private" in shown.headers["Cache-Control"]


def test_a_bad_upload_keeps_nothing_and_the_note_comes_back(app, client, sign_in, disposed, photo_dir):
    number, task_id = disposed
    sign_in("insp1")
    answer = send(client, task_id, "passed", "现场已处理好",
                  photos=[("good.png", png()), ("报告.pdf", b"%PDF-1.7 ...")])
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "报告.pdf 不是照片" in page and "现场已处理好</textarea>" in page and "请重新选择照片" in page
    assert case_state(app, number) == ("disposed", "open", 0) and files_in(photo_dir) == []


def test_a_photo_over_the_limit_is_refused_in_words(app, client, sign_in, disposed, photo_dir):
    number, task_id = disposed
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides({"photo_max_bytes": 1024 * 1024})
    sign_in("insp1")
    answer = send(client, task_id, "passed", photos=[("big.jpg", jpeg_start(1024 * 1024 + 1))])
    assert answer.status_code == 422 and "big.jpg 太大" in answer.get_data(as_text=True)
    many = send(client, task_id, "passed", photos=[(f"{n}.png", png()) for n in range(7)])
    assert many.status_code == 422 and "最多 6 张" in many.get_data(as_text=True)
    assert case_state(app, number) == ("disposed", "open", 0) and files_in(photo_dir) == []


def test_a_body_larger_than_any_report_is_refused_before_it_is_read(app, client, sign_in, disposed, photo_dir):
    number, task_id = disposed
    settings = app.config["SETTINGS"].with_overrides({"photo_max_bytes": 2048})
    app.config["SETTINGS"] = settings
    sign_in("insp1")
    body = 2048 * 6 + 1024 * 1024 + 1          # six photos at their largest, the form's room, and a byte
    answer = send(client, task_id, "passed", photos=[("huge.jpg", jpeg_start(body))])
    assert answer.status_code == 413 and "您提交的内容太大" in answer.get_data(as_text=True)
    assert case_state(app, number) == ("disposed", "open", 0) and files_in(photo_dir) == []


def test_a_refused_step_removes_the_photos_it_wrote(app, client, sign_in, disposed, photo_dir):
    number, task_id = disposed
    sign_in("insp1")
    answer = send(client, task_id, "failed", " ", photos=[("坏.png", png())])      # rework needs a note
    assert answer.status_code == 409 and "请填写说明" in answer.get_data(as_text=True)
    assert case_state(app, number) == ("disposed", "open", 0) and files_in(photo_dir) == []
    with db.session_scope(app) as session:
        assert session.scalar(select(func.count(CasePhoto.id))) == 0
    send(client, task_id, "failed", "井盖仍然松动", photos=[("坏.png", png())])
    assert case_state(app, number) == ("dispatched", "done", 1)
    again = send(client, task_id, "passed")
    assert again.status_code == 409 and "此任务已经完成" in again.get_data(as_text=True)


def test_a_verify_task_confirmed_files_the_case(app, client, sign_in, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        case = report(session, config, clock(), category="C0101", location="海陵区迎春路1号")   # urgent
        number, task_id = case.number, case.tasks[-1].id
    sign_in("insp1")
    assert "属实，立案" in client.get(f"/console/tasks/{task_id}").get_data(as_text=True)
    send(client, task_id, "confirmed", "两个井盖确实缺失")
    with db.session_scope(app) as session:
        assert session.get(InspectorTask, task_id).result == "confirmed"
        assert session.scalars(select(Case.status).where(Case.number == number)).one() == "filed"


def test_photos_are_only_for_those_who_may_see_the_case(app, client, sign_in, disposed, clock):
    number, task_id = disposed
    sign_in("insp1")
    send(client, task_id, "passed", photos=[("现场.png", png())])
    with db.session_scope(app) as session:
        photo_id = session.scalars(select(CasePhoto.id)).one()
    url = f"/console/cases/{number}/photos/{photo_id}"
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    assert client.get(url).status_code == 302                      # signed out: to the sign-in page
    sign_in("drain1")
    assert client.get(url).status_code == 200                      # DRAIN's own case
    with db.session_scope(app) as session:
        other = dispatched(session, services(app).config, clock(), category="C0201", location="青年路12号").number
    assert client.get(f"/console/cases/{other}/photos/{photo_id}").status_code == 404   # not that case's
    assert client.get(f"/console/cases/{number}/photos/999999").status_code == 404


def test_only_inspectors_report_on_tasks(client, sign_in, disposed):
    _, task_id = disposed
    sign_in("drain1")
    assert client.get(f"/console/tasks/{task_id}").status_code == 403
    assert client.get("/console/tasks/999999").status_code == 403
