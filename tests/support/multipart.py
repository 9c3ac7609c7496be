"""multipart/form-data as it goes over the wire: built the way PTB's httpx client builds it, parsed
the way a server reads it (fields, and files with their filename, content type and bytes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    filename: str
    mime: str
    data: bytes


def encode(url: str, fields: dict[str, str], files: dict[str, Any]) -> tuple[str, bytes]:
    """(Content-Type with boundary, body) of the POST httpx sends for these fields and files."""
    request = httpx.Request("POST", url, data=fields, files=files)
    return request.headers["Content-Type"], request.read()


_PARAM = re.compile(r';\s*([\w*-]+)="((?:[^"\\]|\\.)*)"')


def parse(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """The text fields and the file parts of a multipart/form-data body (RFC 7578)."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or found is None:
        raise ValueError(f"not multipart/form-data: {content_type!r}")
    delimiter = b"--" + found.group(1).encode("ascii")
    if not body.startswith(delimiter) or not body.rstrip(b"\r\n").endswith(delimiter + b"--"):
        raise ValueError("multipart body without its opening or closing boundary")
    fields: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    for raw in body.split(delimiter)[1:-1]:
        if not raw.startswith(b"\r\n") or not raw.endswith(b"\r\n"):
            raise ValueError("malformed multipart part")
        head, sep, content = raw[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without a blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        if not disposition.startswith("form-data"):
            raise ValueError(f"part without form-data disposition: {disposition!r}")
        params = {k: _unquote(v) for k, v in _PARAM.findall(disposition)}
        if "filename" in params:
            mime = headers.get("content-type", "application/octet-stream")
            uploads[params["name"]] = Upload(params["filename"], mime, content)
        else:
            fields[params["name"]] = content.decode("utf-8")
    return fields, uploads


def _unquote(value: str) -> str:
    # httpx escapes a quote as %22 (the HTML5 form rule) and a backslash as \\.
    return value.replace("%22", '"').replace("\\\\", "\\")
