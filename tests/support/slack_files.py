"""The fake Slack's files: the external upload flow, with the upload URL served by the fake itself.

As documented for files.getUploadURLExternal / files.completeUploadExternal (docs.slack.dev): the
first takes `filename` and `length` (bytes) and answers `upload_url` and `file_id`; the bytes are
POSTed to that URL, raw or as multipart, without a token (HTTP 200 "OK - <length>"); the second
takes `files` (a JSON array of {"id", "title"?}) and optional `channel_id`, `thread_ts` (only with a
channel), `initial_comment`, and shares the files in one message. conversations.open takes `users`
(or `channel`) and answers the DM `channel` (official web-api spec). Every upload is recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from support.multipart import parse

_file_ids = itertools.count(1)


@dataclass
class Upload:
    """One file on its way: announced, its bytes received, then shared."""

    file_id: str
    filename: str
    length: int
    key: str
    data: bytes | None = None  # None until the bytes arrived at the upload URL
    content_type: str = ""


@dataclass
class Share:
    """One files.completeUploadExternal: which files went to which channel and thread."""

    channel: str
    thread_ts: str | None
    files: list[tuple[Upload, str]]  # (upload, title)
    initial_comment: str = ""

    @property
    def names(self) -> list[str]:
        return [u.filename for u, _ in self.files]

    def data(self, name: str) -> bytes:
        return next(u.data or b"" for u, _ in self.files if u.filename == name)


@dataclass
class SlackFiles:
    """Mixed into FakeSlack: the upload state and the Web API methods about files."""

    uploads: dict[str, Upload] = field(default_factory=dict)
    shares: list[Share] = field(default_factory=list)
    upload_failures: list[int] = field(default_factory=list)  # HTTP statuses for the next uploads
    upload_retry_after: str | None = None  # the Retry-After header of a 429 from the upload URL
    upload_delay: float = 0.0  # seconds the upload URL takes before it answers (timeouts)

    def upload_url(self, file_id: str, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/upload/{file_id}?k={key}"  # type: ignore[attr-defined]

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: the bytes of an announced file, raw or multipart; no token needed."""
        from support.fake_slack import Call

        upload = self.uploads.get(request.match_info["file_id"])
        body = await request.read()
        call = Call("upload", {"file_id": request.match_info["file_id"]}, dict(request.headers))
        if upload is None or request.query.get("k") != upload.key:
            call.error = "not_found"
            await self._record(call)  # type: ignore[attr-defined]
            return web.Response(status=404, text="Not Found")
        if self.upload_delay:
            await asyncio.sleep(self.upload_delay)
        if self.upload_failures:
            status = self.upload_failures.pop(0)
            call.error = f"http_{status}"
            await self._record(call)  # type: ignore[attr-defined]
            headers = (
                {"Retry-After": self.upload_retry_after} if status == 429 and self.upload_retry_after else {}
            )
            return web.Response(status=status, text="upload failed", headers=headers)
        data = body
        if request.content_type == "multipart/form-data":
            _, files = parse(request.headers["Content-Type"], body)
            data = next(iter(files.values())).data if files else b""
        upload.data, upload.content_type = data, request.content_type
        call.result = {"length": len(data)}
        await self._record(call)  # type: ignore[attr-defined]
        return web.Response(text=f"OK - {len(data)}")

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = str(args.get("filename") or ""), str(args.get("length", ""))
        if not filename or not length.isdigit() or int(length) == 0:
            # Slack refuses empty files (slackapi/node-slack-sdk#1569); the exact code is not documented.
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F0FILE{next(_file_ids):05d}"
        key = secrets.token_hex(8)
        self.uploads[file_id] = Upload(file_id, filename, int(length), key)
        return {"ok": True, "upload_url": self.upload_url(file_id, key), "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files
        except json.JSONDecodeError:
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
            return {"ok": False, "error": "invalid_arguments"}
        channel, thread = str(args.get("channel_id") or ""), args.get("thread_ts") or None
        if thread and not channel:
            return {"ok": False, "error": "invalid_arguments"}  # a thread needs its one channel
        if channel and not channel.startswith(("C", "G", "D")):
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.not_in_channel:  # type: ignore[attr-defined]
            return {"ok": False, "error": "not_in_channel"}
        taken: list[tuple[Upload, str]] = []
        for f in files:
            upload = self.uploads.get(str(f.get("id") or ""))
            if upload is None or upload.data is None or len(upload.data) != upload.length:
                return {"ok": False, "error": "invalid_arguments"}  # unknown, not uploaded or not all bytes
            taken.append((upload, str(f.get("title") or upload.filename)))
        for upload, _ in taken:
            del self.uploads[upload.file_id]  # a file is completed once
        self.shares.append(Share(channel, thread, taken, str(args.get("initial_comment") or "")))
        return {"ok": True, "files": [{"id": u.file_id, "title": title} for u, title in taken]}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users and not args.get("channel"):
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 1:
            return {"ok": True, "channel": {"id": "G0MPIM" + "".join(u[-2:] for u in users)}}
        channel = str(args.get("channel") or "D" + users[0][1:])
        return {"ok": True, "channel": {"id": channel}, "already_open": True, "no_op": True}
