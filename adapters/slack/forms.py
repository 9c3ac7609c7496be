"""Forms as Slack modals: a core Form to a views.open view, a view_submission back to a FormSubmit."""

from __future__ import annotations

import json
from typing import Any

from bot.messages import ChatRef, Form, FormSubmit

CALLBACK_ID = "verbinder_form"
# Slack's limits (Block Kit reference): a modal title and button text 24 characters, private_metadata
# 3000, an input label 2000, a hint 2000, a plain_text_input value 3000.
TITLE_MAX = 24
METADATA_MAX = 3000
INPUT_MAX = 3000


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text.strip() or "-"
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def view(form: Form) -> dict[str, Any]:
    """The modal of a form; which form it is and its state travel in private_metadata."""
    blocks: list[dict[str, Any]] = []
    if form.intro:
        blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": form.intro[:2000]}]})
    for f in form.fields:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": f.name,
            "multiline": f.kind == "long",
            "max_length": min(f.max_length, INPUT_MAX),
        }
        if f.value:
            element["initial_value"] = f.value[:INPUT_MAX]
        block: dict[str, Any] = {
            "type": "input",
            "block_id": f.name,
            "label": _plain(f.label, 2000),
            "element": element,
            "optional": not f.required,
        }
        if f.hint:
            block["hint"] = _plain(f.hint, 2000)
        blocks.append(block)
    metadata = json.dumps({"form": form.name, "state": form.state})
    if len(metadata) > METADATA_MAX:  # never: states are a submission id; refuse rather than cut JSON
        raise ValueError("form state too long for private_metadata")
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(form.title, TITLE_MAX),
        "submit": _plain(form.submit, TITLE_MAX),
        "close": _plain("Annuleren", TITLE_MAX),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def submission(body: dict[str, Any], language: str | None = None) -> FormSubmit | None:
    """The core's FormSubmit of a view_submission payload; None when it is not one of our forms."""
    v = body.get("view")
    user = body.get("user")
    if not isinstance(v, dict) or not isinstance(user, dict) or v.get("callback_id") != CALLBACK_ID:
        return None
    try:
        meta = json.loads(str(v.get("private_metadata") or ""))
    except ValueError:
        return None
    if not isinstance(meta, dict) or not isinstance(meta.get("form"), str):
        return None
    values: list[tuple[str, str]] = []
    state = (v.get("state") or {}).get("values") if isinstance(v.get("state"), dict) else None
    for block_id, inputs in (state or {}).items():
        if not isinstance(inputs, dict):
            continue
        for element in inputs.values():
            if isinstance(element, dict):
                value = element.get("value")
                values.append((str(block_id), value if isinstance(value, str) else ""))
    uid = str(user.get("id") or "")
    return FormSubmit(
        chat=ChatRef("slack", uid),
        user_id=uid,
        form=meta["form"],
        values=tuple(values),
        state=str(meta.get("state") or ""),
        user_name=str(user.get("name") or user.get("username") or ""),
        language=language,
        # No dedup id: Slack does not redeliver view submissions, and a view that came back with
        # errors is submitted again under the same id and hash.
    )
