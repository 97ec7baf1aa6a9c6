"""The live board is bounded: calls quiet for long leave it even when their
final status never came, what each caller said is shown cut short, one poll
shows at most MAX_CALLS calls, and its reads never take SQLite's write lock."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

from sqlalchemy import select

from call_log.models import Call as CallRow
from tests.conftest import BACKEND


def board(client) -> dict:
    response = client.get("/console/board.json")
    assert response.status_code == 200
    return response.get_json()


def shown(client) -> list[str]:
    return [row["call_sid"] for row in board(client)["calls"]]


def test_a_call_whose_final_status_never_came_leaves_the_board_once_quiet(client, sign_in, new_call, clock,
                                                                            own_session):
    lost = new_call(from_="+8613912345678")
    lost.dial()
    lost.say("路灯不亮")                       # then nothing: the caller is gone, the callback lost
    sign_in("op1")
    clock.moment += timedelta(minutes=4)
    assert shown(client) == [lost.sid]
    clock.moment += timedelta(minutes=2)
    fresh = new_call(from_="+8613812345678")
    fresh.dial()
    assert shown(client) == [fresh.sid]


def test_a_call_an_operator_joined_stays_while_they_talk(client, sign_in, new_call, clock, own_session):
    talking = new_call()
    talking.dial()
    row = own_session.scalars(select(CallRow).where(CallRow.call_sid == talking.sid)).one()
    row.operator, row.operator_joined_at = "op1", clock()
    own_session.commit()
    sign_in("op1")
    clock.moment += timedelta(minutes=30)
    assert shown(client) == [talking.sid]
    clock.moment += timedelta(hours=2)
    assert shown(client) == []


def test_what_a_caller_said_is_shown_cut_short(client, sign_in, new_call):
    call = new_call()
    call.dial()
    call.say("路灯不亮" * 25_000)              # 100 kB of speech
    sign_in("op1")
    [row] = board(client)["calls"]
    assert len(row["said"]) == 1 and len(row["said"][0]) == 200 and row["said"][0].endswith("…")
    assert len(client.get("/console/board.json").data) < 5_000


def test_only_the_last_few_things_said_are_shown(client, sign_in, new_call):
    call = new_call()
    call.dial()
    for words in ("路灯不亮", "不对", "还是不对", "是路灯"):
        call.say(words)
    sign_in("op1")
    [row] = board(client)["calls"]
    assert row["said"] == ["不对", "还是不对", "是路灯"]


def test_one_poll_shows_at_most_max_calls_and_counts_the_rest(client, sign_in, new_call, monkeypatch):
    import operators.board

    monkeypatch.setattr(operators.board, "MAX_CALLS", 3)
    calls = [new_call(from_=f"+86139123456{n:02d}") for n in range(5)]
    for call in calls:
        call.dial()
    sign_in("op1")
    data = board(client)
    assert [row["call_sid"] for row in data["calls"]] == [c.sid for c in calls[:3]] and data["more"] == 2


def test_the_board_reads_while_another_process_holds_the_write_lock(app, client, sign_in, new_call):
    call = new_call()
    call.dial()
    sign_in("op1")
    url = app.config["SETTINGS"].database_url
    if BACKEND == "sqlite":
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        import psycopg
        holder = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        holder.execute("SELECT id FROM call FOR UPDATE")
    try:
        assert shown(client) == [call.sid]
    finally:
        holder.rollback()
        holder.close()
