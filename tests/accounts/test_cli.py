"""``user create`` and ``api-key create`` answer a mistake with a clear error,
never a traceback: an unknown department, a device nobody can ring, a short
password; and say the password rule in their help."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accounts.models import ApiKey, User
from database import db

PASSWORD = ["--password", "long enough pw"]


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def count(app, model) -> int:
    with db.session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model))


def refused(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.output


def test_an_unknown_department_is_a_clear_error_for_a_user(app):
    result = run(app, "user", "create", "drain9", "--role", "department", "--department", "NOPE", *PASSWORD)
    refused(result, "there is no department 'NOPE'", "DRAIN")
    assert count(app, User) == 0


def test_an_unknown_department_is_a_clear_error_for_an_api_key(app):
    result = run(app, "api-key", "create", "--name", "drain-system", "--role", "department", "--department", "NOPE")
    refused(result, "there is no department 'NOPE'")
    assert count(app, ApiKey) == 0


def test_department_staff_need_a_department(app):
    refused(run(app, "user", "create", "drain9", "--role", "department", *PASSWORD), "--department CODE")


@pytest.mark.parametrize("device", ["client:", "client:bad id", "client:<script>", "12", "operator", "+86 138",
                                    "+8613812345678; drop"])
def test_a_device_that_cannot_ring_is_refused(app, device):
    refused(run(app, "user", "create", "op9", "--role", "operator", "--device", device, *PASSWORD), repr(device))
    assert count(app, User) == 0


@pytest.mark.parametrize("device,kept", [("client:wang", "client:wang"), ("client:op_9.desk", "client:op_9.desk"),
                                         ("+8613812345678", "+8613812345678"), ("13812345678", "+8613812345678"),
                                         ("0523-88012319", "+8652388012319")])
def test_a_device_that_can_ring_is_kept_as_the_bridge_dials_it(app, device, kept):
    assert run(app, "user", "create", "op9", "--role", "operator", "--device", device, *PASSWORD).exit_code == 0
    with db.session_scope(app) as session:
        assert session.scalars(select(User.device)).one() == kept


def test_the_password_rule_is_in_the_help_and_in_the_error(app):
    assert "at least 10 characters" in run(app, "user", "create", "--help").output
    refused(run(app, "user", "create", "op9", "--role", "operator", "--password", "short"), "at least 10 characters")
