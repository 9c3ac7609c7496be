"""`verbinder run` settings checks and the `verbinder questions` commands."""

from __future__ import annotations

from pathlib import Path

from support.docs import make_settings
from typer.testing import CliRunner

from adapters.runner import check_settings, configured_platforms, slack_mode
from app.cli import app
from app.runtime import build_runtime
from bot.messages import ChatRef, Incoming

runner = CliRunner()
TG = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def _problems(tmp_path: Path, **kw: object) -> list[str]:
    return check_settings(make_settings(tmp_path, **kw))


def test_nothing_configured_names_the_settings(tmp_path):
    [p] = _problems(tmp_path)
    assert "VERBINDER_SLACK_BOT_TOKEN" in p and "VERBINDER_TELEGRAM_BOT_TOKEN" in p and "verbinder chat" in p


def test_slack_socket_and_http_modes(tmp_path):
    s = make_settings(tmp_path, slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert slack_mode(s) == "socket" and check_settings(s) == [] and configured_platforms(s) == ["slack"]
    s = make_settings(tmp_path, slack_bot_token="xoxb-1", slack_signing_secret="shh")
    assert slack_mode(s) == "http" and check_settings(s) == []
    [p] = _problems(tmp_path, slack_bot_token="xoxb-1")
    assert "VERBINDER_SLACK_SIGNING_SECRET" in p
    [p] = _problems(tmp_path, slack_bot_token="xoxp-user", slack_app_token="xapp-1")
    assert "xoxb-" in p
    [p] = _problems(tmp_path, slack_bot_token="xoxb-1", slack_mode="socket", slack_signing_secret="s")
    assert "VERBINDER_SLACK_APP_TOKEN" in p


def test_telegram_token_and_webhook(tmp_path):
    assert _problems(tmp_path, telegram_bot_token=TG) == []
    [p] = _problems(tmp_path, telegram_bot_token="nonsense")
    assert "VERBINDER_TELEGRAM_BOT_TOKEN" in p
    ps = _problems(tmp_path, telegram_bot_token=TG, telegram_webhook_url="http://x.example/telegram/webhook")
    assert any("https://" in p for p in ps) and any("WEBHOOK_SECRET" in p for p in ps)


def test_unprefixed_platform_variables_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-env")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/bot")
    s = make_settings(tmp_path)
    assert s.slack_bot_token == "xoxb-env" and s.telegram_api_url == "http://127.0.0.1:8081/bot"


def test_run_without_platforms_is_one_clear_error(tmp_path):
    result = runner.invoke(app, ["run"], env={"VERBINDER_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "No chat platform configured" in result.output and "Traceback" not in result.output


def test_run_with_a_wrong_token_names_the_setting(tmp_path):
    env = {"VERBINDER_DATA_DIR": str(tmp_path), "VERBINDER_TELEGRAM_BOT_TOKEN": "oops"}
    result = runner.invoke(app, ["run"], env=env)
    assert result.exit_code == 2 and "VERBINDER_TELEGRAM_BOT_TOKEN" in result.output


def test_questions_list_and_show(tmp_path, corpus_dir):
    settings = make_settings(tmp_path / "data")
    rt = build_runtime(settings)
    rt.ingest([corpus_dir])
    [r] = rt.service().handle(
        Incoming(
            ChatRef("slack", "D1"),
            "1.0",
            "U1",
            "Waar repeteert het seniorenkoor?",
            user_name="Anna",
            direct=True,
        )
    )
    env = {"VERBINDER_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    out = runner.invoke(app, ["questions", "list"], env=env)
    assert out.exit_code == 0 and "seniorenkoor" in out.output and "answered" in out.output
    out = runner.invoke(app, ["questions", "list", "--status", "routed"], env=env)
    assert "No questions" in out.output
    out = runner.invoke(app, ["questions", "show", str(r.question_id)], env=env)
    assert out.exit_code == 0 and "Anna" in out.output and "asked" in out.output and "[1]" in out.output
    out = runner.invoke(app, ["questions", "show", "999"], env=env)
    assert out.exit_code == 1 and "No question" in out.output


def test_env_example_documents_every_setting():
    from bot.config import Settings

    text = (Path(__file__).resolve().parent.parent / ".env.example").read_text(encoding="utf-8")
    names = {line.split("=", 1)[0] for line in text.splitlines() if line and not line.startswith("#")}
    missing = {f"VERBINDER_{f.upper()}" for f in Settings.model_fields} - names
    assert missing == set()
