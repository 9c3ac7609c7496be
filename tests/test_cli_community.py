"""`verbinder moderators|members|audit|submissions|events|outbox` through typer's CliRunner."""

from __future__ import annotations

from datetime import timedelta

from support.docs import make_settings
from typer.testing import CliRunner

from app.cli import app
from app.runtime import open_settings_database
from bot.community.queue import Queue
from bot.delivery.outbox import Outbox, enqueue
from bot.messages import ChatRef, Reply
from bot.people.store import People
from storage.db import utcnow

runner = CliRunner()


def _run(tmp_path, *args: str):  # type: ignore[no-untyped-def]
    env = {"VERBINDER_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200", "VERBINDER_ADMINS": "slack:UADM"}
    return runner.invoke(app, list(args), env=env)


def test_moderators_add_list_remove_and_the_audit_log(tmp_path):
    assert _run(tmp_path, "moderators", "add", "telegram:42").exit_code == 0
    listed = _run(tmp_path, "moderators", "list")
    assert "telegram:42" in listed.stdout and "slack:UADM" in listed.stdout
    assert _run(tmp_path, "moderators", "remove", "telegram:42").exit_code == 0
    gone = _run(tmp_path, "moderators", "remove", "slack:UADM")
    assert gone.exit_code == 2 and "VERBINDER_ADMINS" in gone.stderr and "Traceback" not in gone.output
    assert _run(tmp_path, "moderators", "remove", "nobody").exit_code == 2
    log = _run(tmp_path, "audit", "list")
    assert "grant_moderator" in log.stdout and "revoke_moderator" in log.stdout


def test_submissions_list_show_and_refusals(tmp_path):
    sessions = open_settings_database(make_settings(tmp_path / "data"))
    people = People(sessions)
    author = people.person("telegram", "7", "[bold]Anna[/bold]")  # printed literally
    queue = Queue(sessions, people, Outbox(sessions), utcnow)
    sub = queue.submit(
        author, "telegram", "7", "7", "tip", {"title": "Zing [/i] mee", "text": "Elke week."}, "nl"
    )
    listed = _run(tmp_path, "submissions", "list")
    assert listed.exit_code == 0 and "Zing [/i] mee" in listed.stdout and "[bold]Anna[/bold]" in listed.stdout
    assert "Elke week." in _run(tmp_path, "submissions", "show", str(sub.id)).stdout
    assert _run(tmp_path, "submissions", "show", "999").exit_code == 2
    assert _run(tmp_path, "submissions", "list", "--state", "bogus").exit_code == 2
    assert "reason" in _run(tmp_path, "submissions", "reject", str(sub.id), "--reason", " ").stderr


def test_outbox_list_shows_what_waits_and_what_failed(tmp_path):
    sessions = open_settings_database(make_settings(tmp_path / "data"))
    assert "Nothing is waiting" in _run(tmp_path, "outbox", "list").stdout
    with sessions.begin() as s:
        enqueue(s, Reply(ChatRef("slack", "C1"), "hallo"), now=utcnow() - timedelta(minutes=1))
    outbox = Outbox(sessions)
    [item] = outbox.lease(frozenset({"slack"}))
    outbox.failed(item, "SlackApiError: not_in_channel")
    listed = _run(tmp_path, "outbox", "list", "--failed")
    assert "slack:C1" in listed.stdout and "not_in_channel" in listed.stdout
