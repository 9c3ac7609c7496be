"""Optional LLM answer composer: writes the answer from the top passages, citing them as [n].

Switched on with VERBINDER_LLM (see `.env.example`). It only ever runs after the extractive
answerability check said the knowledge base answers the question; the route decision stays
with that check. Any failure of the model call keeps the extractive answer.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from bot.answering.citations import qa_credit
from bot.texts import t

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.config import Settings
    from knowledge_base.answerer import Decision
    from knowledge_base.retrieval import DocHit

log = logging.getLogger(__name__)

NOT_FOUND = "NOT_IN_PASSAGES"
PASSAGE_CHARS = 1500  # per chunk: keeps the prompt bounded whatever the chunk size
DEFAULT_MODELS = {"openai": "gpt-4o-mini", "mistralai": "mistral-small-latest", "ollama": "llama3.1"}
PACKAGES = {"openai": "langchain-openai", "mistralai": "langchain-mistralai", "ollama": "langchain-ollama"}
ALIASES = {"mistral": "mistralai"}

INSTRUCTIONS = {
    "nl": (
        "Je bent Verbinder, de assistent van een community die kunst en cultuur verbindt met zorg "
        "en welzijn. Beantwoord de vraag uitsluitend met informatie uit de genummerde passages. "
        "Antwoord in het Nederlands, kort en feitelijk, in gewone tekst zonder opmaak. "
        "Zet achter elke bewering het nummer van de passage waar die uit komt, zoals [1] of [2]. "
        "Gebruik geen kennis van buiten de passages en verzin niets. "
        f"Staat het antwoord niet in de passages, antwoord dan alleen met: {NOT_FOUND}"
    ),
    "en": (
        "You are Verbinder, the assistant of a community that connects arts and culture with care "
        "and welfare. Answer the question using only information from the numbered passages. "
        "Answer in English, briefly and factually, in plain text without formatting. "
        "After every statement put the number of the passage it comes from, like [1] or [2]. "
        "Do not use knowledge from outside the passages and do not make anything up. "
        f"If the passages do not answer the question, reply only with: {NOT_FOUND}"
    ),
}
LABELS = {"nl": ("Passages", "Vraag"), "en": ("Passages", "Question")}

_CITATION = re.compile(r"\s?\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_NOT_FOUND = re.compile(r"NOT[_ ]IN[_ ]PASSAGES", re.I)
_THINKING = re.compile(r"<think>.*?</think>", re.S)


class LLMConfigError(RuntimeError):
    """The configured LLM cannot be set up (missing package, key or unknown provider)."""


@dataclass(frozen=True)
class Composed:
    """What the model wrote: the answer text and the documents it cites, numbered in order."""

    text: str
    docs: tuple[DocHit, ...]
    found: bool


def select_passages(decision: Decision, n: int) -> list[DocHit]:
    """The top documents: those holding the evidence first, then the best ranked ones."""
    out: dict[str, DocHit] = {}
    for dh in [ev.doc for ev in decision.evidence] + list(decision.ranked):
        if len(out) >= n:
            break
        out.setdefault(dh.doc.path, dh)
    return list(out.values())


def _passage(dh: DocHit) -> str:
    """A document's title and its retrieved chunk texts."""
    parts = [dh.doc.title]
    for ch in dh.chunks:
        text = " ".join(ch.text.split())
        parts.append(text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS].rsplit(" ", 1)[0] + " …")
    return "\n".join(p for p in parts if p)


def build_messages(question: str, language: str, docs: list[DocHit]) -> list[tuple[str, str]]:
    """System instruction and user message (passages [1]..[n], then the question)."""
    lang = language if language in INSTRUCTIONS else "nl"
    head, ask = LABELS[lang]
    passages = "\n\n".join(f"[{i}] {_passage(dh)}" for i, dh in enumerate(docs, 1))
    return [("system", INSTRUCTIONS[lang]), ("human", f"{head}:\n\n{passages}\n\n{ask}: {question}")]


def renumber(text: str, n: int) -> tuple[str, list[int]]:
    """Renumber citations [k] by first appearance, drop numbers outside 1..n; returns old numbers."""
    order: list[int] = []

    def repl(m: re.Match[str]) -> str:
        new = []
        for k in (int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))):
            if 1 <= k <= n:
                if k not in order:
                    order.append(k)
                if order.index(k) + 1 not in new:
                    new.append(order.index(k) + 1)
        return " " + "".join(f"[{k}]" for k in new) if new else ""

    return _CITATION.sub(repl, text).strip(), order


class Composer:
    """Asks a chat model to answer from numbered passages; None when the call fails."""

    def __init__(self, model: BaseChatModel, spec: str, max_passages: int = 3) -> None:
        self.model = model
        self.spec = spec
        self.max_passages = max_passages

    def compose(self, question: str, language: str, decision: Decision) -> Composed | None:
        """One blocking model call; failures are logged and give None (keep the extractive answer)."""
        docs = select_passages(decision, self.max_passages)
        if not docs:
            return None
        try:
            reply = self.model.invoke(build_messages(question, language, docs))
        except Exception as exc:  # timeout, HTTP error, auth, bad response: never lose the question
            log.warning(
                "LLM %s failed (%s: %s); using the extractive answer", self.spec, type(exc).__name__, exc
            )
            return None
        raw = _THINKING.sub("", _text(reply))  # reasoning models may show their thinking
        said_not_found = _NOT_FOUND.search(raw) is not None
        text, order = renumber(_NOT_FOUND.sub("", raw).replace("**", "").strip(" `\n"), len(docs))
        if not text or (said_not_found and not order):
            return Composed("", (), False)
        cited = tuple(docs[k - 1] for k in order) or tuple(docs)
        return Composed(_with_credits(text, cited, language), cited, True)


def _text(reply: Any) -> str:
    """The text of a chat model reply (a property in langchain-core 1.x, a method before)."""
    text = reply.text
    return str(text if isinstance(text, str) or not callable(text) else text())


def _with_credits(text: str, docs: tuple[DocHit, ...], lang: str) -> str:
    """The intro line, the model's answer and the expert credit of cited Q&A entries."""
    lines = [t("llm_intro", lang), text]
    lines += [c for c in (qa_credit(dh, lang) for dh in docs) if c]
    return "\n".join(lines)


def _missing(spec: str, provider: str) -> LLMConfigError:
    """The one-line error for a provider package that is not installed."""
    package = PACKAGES.get(provider) or f"langchain-{provider.replace('_', '-')}"
    extra = " (or pip install 'verbinder[llm]')" if provider in PACKAGES else ""
    return LLMConfigError(f"VERBINDER_LLM={spec} needs the package {package}: pip install {package}{extra}")


def load_chat_model(
    spec: str,
    base_url: str = "",
    timeout: float = 30.0,
    max_retries: int = 1,
    api_keys: dict[str, str] | None = None,
) -> BaseChatModel:
    """Build the chat model named by a `provider:model` setting."""
    provider, sep, name = spec.strip().partition(":")
    provider = ALIASES.get(provider.strip().lower(), provider.strip().lower())
    name = name.strip() or DEFAULT_MODELS.get(provider, "")
    if (not sep and provider not in DEFAULT_MODELS) or not provider or not name:
        raise LLMConfigError(f"VERBINDER_LLM={spec} must be provider:model, e.g. openai:gpt-4o-mini")
    keys = api_keys or {}
    kw: dict[str, Any] = {"model": name, "temperature": 0}
    try:
        if provider == "openai":
            from langchain_openai import ChatOpenAI  # type: ignore[import-not-found]

            if not keys.get("openai") and not base_url:
                raise LLMConfigError(
                    f"VERBINDER_LLM={spec} needs OPENAI_API_KEY (or VERBINDER_LLM_BASE_URL for a "
                    "local OpenAI-compatible server)"
                )
            if re.match(r"o\d", name):
                kw.pop("temperature")  # reasoning models only accept their default
            if base_url:
                kw["base_url"] = base_url
            key = SecretStr(keys.get("openai") or "unused")
            return ChatOpenAI(api_key=key, timeout=timeout, max_retries=max_retries, **kw)
        if provider == "mistralai":
            from langchain_mistralai import ChatMistralAI  # type: ignore[import-not-found]

            if not keys.get("mistralai") and not base_url:
                raise LLMConfigError(f"VERBINDER_LLM={spec} needs MISTRAL_API_KEY")
            if base_url:
                kw["base_url"] = base_url
            return ChatMistralAI(
                api_key=keys.get("mistralai") or "unused",
                timeout=max(1, math.ceil(timeout)),
                max_retries=max_retries,
                **kw,
            )
        if provider == "ollama":
            from langchain_ollama import ChatOllama  # type: ignore[import-not-found]

            return ChatOllama(base_url=base_url or None, client_kwargs={"timeout": timeout}, **kw)
        try:
            from langchain.chat_models import init_chat_model  # type: ignore[import-not-found]
        except ImportError:
            package = f"langchain-{provider.replace('_', '-')}"
            raise LLMConfigError(
                f"VERBINDER_LLM={spec} needs langchain and the provider's package: "
                f"pip install langchain {package}"
            ) from None
        if base_url:
            kw["base_url"] = base_url
        return init_chat_model(model_provider=provider, timeout=timeout, max_retries=max_retries, **kw)
    except ImportError:
        raise _missing(spec, provider) from None
    except LLMConfigError:
        raise
    except Exception as exc:  # the provider rejected its settings (unknown provider, bad value)
        raise LLMConfigError(f"cannot set up VERBINDER_LLM={spec}: {exc}") from None


def load_composer(settings: Settings) -> Composer | None:
    """The composer configured in the settings, or None when VERBINDER_LLM is empty (the default)."""
    if not settings.llm.strip():
        return None
    keys = {
        "openai": settings.openai_api_key.get_secret_value(),
        "mistralai": settings.mistral_api_key.get_secret_value(),
    }
    model = load_chat_model(
        settings.llm, settings.llm_base_url, settings.llm_timeout, settings.llm_max_retries, keys
    )
    return Composer(model, settings.llm.strip(), settings.answer_sources)
