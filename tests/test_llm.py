"""The optional LLM composer, against a fake OpenAI-compatible server on 127.0.0.1 (no network)."""

from __future__ import annotations

import json
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import support.docs as D
from support.docs import make_settings
from typer.testing import CliRunner

from app.cli import app
from app.runtime import build_runtime
from bot.answering.assistant import Answer, Assistant
from bot.answering.evaluation import run_eval
from bot.answering.llm import LLMConfigError, load_chat_model, load_composer, renumber
from bot.texts import t

ASK_NL = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
ASK_EN = "What do carers value about the museum tours?"
UNANSWERABLE = "Wat is het telefoonnummer van seniorenkoor De Zilveren Stemmen?"
OFF_TOPIC = "Wat is de hoofdstad van Mongolië?"
LLM_NL = "Het koor repeteert elke dinsdagmiddag in buurthuis De Linde in Amersfoort [1]."

Responder = Callable[[dict], tuple[int, str]]


@dataclass
class FakeLLM:
    """A fake of POST /v1/chat/completions: records requests, answers with `respond`."""

    url: str
    requests: list[dict] = field(default_factory=list)
    respond: Responder = lambda body: (200, "")
    delay: float = 0.0

    def system(self, i: int = -1) -> str:
        return self.requests[i]["messages"][0]["content"]

    def user(self, i: int = -1) -> str:
        return self.requests[i]["messages"][-1]["content"]

    def passages(self, i: int = -1) -> dict[int, str]:
        """Passage number -> title (the first line after [n]) as sent to the model."""
        return {int(n): title for n, title in re.findall(r"^\[(\d+)\] (.*)$", self.user(i), re.M)}


def _completion(text: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    state = FakeLLM(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            state.requests.append(body)
            if state.delay:
                time.sleep(state.delay)
            status, text = state.respond(body)
            payload = json.dumps(_completion(text) if status == 200 else {"error": {"message": text}})
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("retry-after-ms", "5")  # keeps the SDK's retry back-off short
                self.send_header("Content-Length", str(len(payload.encode())))
                self.end_headers()
                self.wfile.write(payload.encode())
            except (BrokenPipeError, ConnectionResetError):  # the client timed out meanwhile
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, fake: FakeLLM) -> None:
    """Only loopback connections (no tiktoken download, no real provider); a clean fake per test."""
    real = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else ""
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1"):
            raise AssertionError(f"network access to {address} during the LLM tests")
        real(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "MISTRAL_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    fake.requests.clear()
    fake.respond = lambda body: (200, LLM_NL)
    fake.delay = 0.0


@pytest.fixture(scope="module")
def llm_rt(kb, fake):
    """A runtime on the shared knowledge base with VERBINDER_LLM pointing at the fake."""
    return build_runtime(
        make_settings(
            kb.data_dir,
            llm="openai:fake-model",
            llm_base_url=fake.url,
            llm_max_retries=0,
            llm_timeout=5,
        )
    )


def _assistant(kb, fake: FakeLLM, **overrides: object) -> Assistant:
    settings = make_settings(
        kb.data_dir, llm="openai:fake-model", llm_base_url=fake.url, **{"llm_max_retries": 0, **overrides}
    )
    base = kb.rt.assistant
    return Assistant(base.retriever, base.answerer, settings.max_question_chars, load_composer(settings))


def _paths_by_title(kb) -> dict[str, str]:
    return {d.title: d.path for d in kb.rt.kb.documents()}


# -- the request and the answer ----------------------------------------------------------------
def test_dutch_question_sends_numbered_passages_and_dutch_instruction(llm_rt, fake):
    a = llm_rt.assistant.ask(ASK_NL)
    assert len(fake.requests) == 1
    body = fake.requests[0]
    assert body["model"] == "fake-model" and body["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "Antwoord in het Nederlands" in fake.system() and "[1]" in fake.system()
    user = fake.user()
    assert user.startswith("Passages:\n\n[1] ") and user.endswith(f"Vraag: {ASK_NL}")
    assert D.KOOR_SENTENCE in " ".join(user.split())
    assert 1 <= len(fake.passages()) <= 3  # VERBINDER_ANSWER_SOURCES
    assert a.status == "answered" and a.routed is False and a.language == "nl"
    assert a.answer.splitlines() == [t("llm_intro", "nl"), LLM_NL]
    assert [s.path for s in a.sources] == [D.KOOR_PATH]
    assert dict(a.features)["llm"] == "answered"


def test_english_question_gets_english_instruction(llm_rt, fake):
    fake.respond = lambda body: (200, "Carers value the calm atmosphere [1].")
    a = llm_rt.assistant.ask(ASK_EN)
    assert "Answer in English" in fake.system() and "Nederlands" not in fake.system()
    assert fake.user().endswith(f"Question: {ASK_EN}")
    assert a.language == "en" and a.answer.splitlines() == [
        t("llm_intro", "en"),
        "Carers value the calm atmosphere [1].",
    ]
    assert a.sources[0].path == D.MUSEUM_PATH


def test_only_cited_documents_are_sources_renumbered_in_citation_order(kb, fake):
    fake.respond = lambda body: (200, "Eerst dit [3][9]. Dan dat [2, 3].")
    a = _assistant(kb, fake).ask("Wat doet het seniorenkoor voor ouderen?")
    passages = fake.passages()
    assert len(passages) == 3
    titles = _paths_by_title(kb)
    assert a.answer.splitlines()[1] == "Eerst dit [1]. Dan dat [2][1]."
    assert [s.path for s in a.sources] == [titles[passages[3]], titles[passages[2]]]


def test_thinking_of_a_reasoning_model_is_not_shown(kb, fake):
    fake.respond = lambda body: (200, "<think>Passage [2] is about dance.</think>Op dinsdag [1].")
    a = _assistant(kb, fake).ask(ASK_NL)
    assert a.answer.splitlines()[1:] == ["Op dinsdag [1]."] and len(a.sources) == 1


def test_an_answer_without_citations_keeps_all_passages_as_sources(kb, fake):
    fake.respond = lambda body: (200, "Het koor zingt op dinsdag.")
    a = _assistant(kb, fake).ask(ASK_NL)
    titles = _paths_by_title(kb)
    assert a.answer.splitlines()[1] == "Het koor zingt op dinsdag."
    assert [s.path for s in a.sources] == [titles[p] for _, p in sorted(fake.passages().items())]


@pytest.mark.parametrize("reply", ["NOT_IN_PASSAGES", "`NOT_IN_PASSAGES`", "not in passages."])
def test_model_saying_not_in_passages_routes_the_question(kb, fake, reply):
    fake.respond = lambda body: (200, reply)
    a = _assistant(kb, fake).ask(ASK_NL)
    assert len(fake.requests) == 1
    assert a.routed is True and a.status == "routed" and a.answer == t("not_found", "nl")
    assert a.sources == () and a.candidates
    assert dict(a.features)["llm"] == "not_found"


def test_a_question_with_nothing_relevant_never_reaches_the_model(llm_rt, fake):
    a = llm_rt.assistant.ask(OFF_TOPIC)
    assert a.outcome == "route" and a.routed is True and a.answer == t("not_found", "nl")
    assert fake.requests == []


def test_a_borderline_question_goes_to_the_model_as_judge_and_can_be_rescued(llm_rt, fake):
    plain = llm_rt.assistant.answerer.decide(*llm_rt.assistant.retriever.search(UNANSWERABLE))
    assert plain.outcome == "not_sure"  # the extractive check alone would not answer it
    fake.respond = lambda body: (200, "Bel het koor via het buurthuis [1].")
    a = llm_rt.assistant.ask(UNANSWERABLE)
    assert len(fake.requests) == 1 and a.outcome == "answer" and not a.routed
    assert a.answer.splitlines()[1] == "Bel het koor via het buurthuis [1]." and a.sources


def test_a_borderline_question_the_model_refuses_stays_not_sure(llm_rt, fake):
    fake.respond = lambda body: (200, "NOT_IN_PASSAGES")
    a = llm_rt.assistant.ask(UNANSWERABLE)
    assert len(fake.requests) == 1
    assert a.outcome == "not_sure" and a.routed and a.answer == t("not_sure", "nl")
    assert 1 <= len(a.sources) <= 3  # reading tips


# -- failures keep the extractive answer -------------------------------------------------------
def _same_as_extractive(kb, a: Answer, question: str) -> None:
    plain = kb.rt.assistant.ask(question)
    assert (a.answer, a.sources, a.routed) == (plain.answer, plain.sources, False)
    assert a.answer.splitlines()[0] == t("intro", "nl") and "llm" not in dict(a.features)


def test_http_500_falls_back_to_the_extractive_answer(kb, fake, caplog):
    fake.respond = lambda body: (500, "upstream exploded")
    with caplog.at_level(logging.WARNING, logger="bot.answering.llm"):
        a = _assistant(kb, fake).ask(ASK_NL)
    assert len(fake.requests) == 1
    _same_as_extractive(kb, a, ASK_NL)
    assert "LLM openai:fake-model failed" in caplog.text and "extractive" in caplog.text


def test_auth_error_falls_back_to_the_extractive_answer(kb, fake):
    fake.respond = lambda body: (401, "invalid api key")
    _same_as_extractive(kb, _assistant(kb, fake).ask(ASK_NL), ASK_NL)


def test_timeout_falls_back_to_the_extractive_answer(kb, fake):
    fake.delay = 1.5
    start = time.perf_counter()
    a = _assistant(kb, fake, llm_timeout=0.3).ask(ASK_NL)
    assert time.perf_counter() - start < 1.2
    _same_as_extractive(kb, a, ASK_NL)


def test_a_failed_request_is_retried_when_configured(kb, fake):
    calls: list[int] = []

    def flaky(body: dict) -> tuple[int, str]:
        calls.append(1)
        return (500, "busy") if len(calls) == 1 else (200, LLM_NL)

    fake.respond = flaky
    a = _assistant(kb, fake, llm_max_retries=1).ask(ASK_NL)
    assert len(fake.requests) == 2 and a.answer.splitlines()[1] == LLM_NL


# -- the same path through the CLI and eval ----------------------------------------------------
def _cli_env(kb, **extra: str) -> dict[str, str]:
    return {"VERBINDER_DATA_DIR": str(kb.data_dir), "VERBINDER_SAMPLE_KB": "false", "COLUMNS": "200", **extra}


def test_ask_json_goes_through_the_model(kb, fake):
    env = _cli_env(
        kb, VERBINDER_LLM="openai:fake-model", VERBINDER_LLM_BASE_URL=fake.url, VERBINDER_LLM_MAX_RETRIES="0"
    )
    out = CliRunner().invoke(app, ["ask", "--json", ASK_NL], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["answer"].splitlines()[1] == LLM_NL and data["routed"] is False
    assert [s["path"] for s in data["sources"]] == [D.KOOR_PATH]
    assert len(fake.requests) == 1


def test_eval_runs_the_same_pipeline(llm_rt, fake):
    items = [
        {"id": "a", "question": ASK_NL, "answerable": True, "gold": [D.KOOR_PATH]},
        {"id": "u", "question": OFF_TOPIC, "answerable": False, "gold": []},
    ]
    res, rows = run_eval(llm_rt.assistant, items)
    assert rows[0]["answer"].splitlines()[1] == LLM_NL and rows[1]["routed"] is True
    assert len(fake.requests) == 1 and res.route_balanced_accuracy == 1.0


# -- configuration ---------------------------------------------------------------------------
def test_off_by_default(kb):
    assert kb.settings.llm == "" and kb.rt.assistant.composer is None
    assert load_composer(kb.settings) is None


def test_missing_provider_package_is_one_clear_line(kb, monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_ollama", None)  # as if not installed
    out = CliRunner().invoke(
        app, ["ask", "Hoe werkt kunst op recept?"], env=_cli_env(kb, VERBINDER_LLM="ollama:llama3.1")
    )
    assert out.exit_code == 2
    lines = [line for line in out.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in out.output
    assert "VERBINDER_LLM=ollama:llama3.1" in lines[0] and "pip install langchain-ollama" in lines[0]
    assert "pip install 'verbinder[llm]'" in lines[0]


@pytest.mark.parametrize(
    ("module", "spec", "package"),
    [
        ("langchain_mistralai", "mistralai:mistral-small-latest", "langchain-mistralai"),
        ("langchain_openai", "openai:gpt-4o-mini", "langchain-openai"),
        ("langchain", "anthropic:claude-x", "pip install langchain langchain-anthropic"),
    ],
)
def test_missing_packages_name_the_pip_command(monkeypatch, module, spec, package):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(LLMConfigError, match=re.escape(package)):
        load_chat_model(spec, api_keys={"openai": "k", "mistralai": "k"})


def test_openai_without_a_key_or_base_url_names_the_variable():
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        load_chat_model("openai:gpt-4o-mini")


@pytest.mark.parametrize("spec", ["gpt-4o-mini", ":gpt-4o-mini", "openai:"])
def test_spec_format(spec):
    if spec == "openai:":  # the provider's default model
        assert load_chat_model(spec, base_url="http://127.0.0.1:9/v1").model_name == "gpt-4o-mini"
    else:
        with pytest.raises(LLMConfigError, match="provider:model"):
            load_chat_model(spec)


def test_api_key_is_read_under_its_usual_name(tmp_path, monkeypatch, fake):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    settings = make_settings(tmp_path, llm="openai:fake-model", llm_base_url=fake.url)
    assert settings.openai_api_key.get_secret_value() == "sk-test-123"
    assert "sk-test-123" not in repr(settings)


# -- citation renumbering ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "n", "expected", "order"),
    [
        ("A [1]. B [2].", 3, "A [1]. B [2].", [1, 2]),
        ("A [2]. B [1].", 3, "A [1]. B [2].", [2, 1]),
        ("A [3; 1] and [3].", 3, "A [1][2] and [1].", [3, 1]),
        ("A [7]. B[2].", 3, "A. B [1].", [2]),
        ("No citations.", 3, "No citations.", []),
    ],
)
def test_renumber(text, n, expected, order):
    assert renumber(text, n) == (expected, order)
