"""A text file's lines, each read with a size cap, so a 1 GB line costs a few megabytes: a line over
the cap is skipped unread and its size remembered. Undecodable bytes and NUL bytes raise a
`FileFormatError` naming the file, the line and the fix (`rabat.store.records` reads rows from
these lines).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import IO

SKIP_CHUNK = 1 << 20
ENCODING_HINT = (
    "If the file is in another encoding, pass --encoding (e.g. latin-1, cp1252, utf-16); "
    "if it is not a text file, check the path"
)


class FileFormatError(ValueError):
    """The file cannot be read as it is; the message names the file, the line and the fix."""


class Lines:
    """The file's lines, decoded, each read with a cap; over-long lines are skipped unread and
    remembered (`overlong`: line number -> bytes)."""

    def __init__(self, path: Path, handle: IO[bytes], encoding: str, cap: int) -> None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileFormatError(
                f"unknown encoding {encoding!r} for {path}: use a Python codec name such as "
                "utf-8, latin-1, cp1252 or utf-16"
            ) from None
        self.path, self.encoding, self.cap = path, encoding, cap
        self.number = 0
        self.overlong: dict[int, int] = {}
        self._raw = byte_lines(path, handle, encoding, cap)

    def __iter__(self) -> Iterator[str]:
        for raw, size in self._raw:
            self.number += 1
            if raw is None:
                self.overlong[self.number] = size
                yield "\n"  # stands in for the skipped line (a row of its own, rejected)
                continue
            yield self._decode(raw)

    def _decode(self, raw: bytes) -> str:
        try:
            text = raw.decode(self.encoding)
        except UnicodeDecodeError as err:
            raise FileFormatError(
                f"{self.path}, line {self.number}: not valid {self.encoding} (byte "
                f"0x{raw[err.start]:02x} at byte {err.start + 1} of the line). {ENCODING_HINT}"
            ) from None
        if "\x00" in text:
            raise FileFormatError(
                f"{self.path}, line {self.number}: holds NUL bytes, so it is not {self.encoding} "
                f"text. {ENCODING_HINT}"
            )
        if self.number == 1:
            text = text.removeprefix("\ufeff")  # spreadsheet exports start with a BOM
        return text

    def overlong_in(self, first: int, last: int) -> int | None:
        """The size of an over-long line among lines first..last, if there is one."""
        for number in range(first, last + 1):
            if number in self.overlong:
                return self.overlong.pop(number)
        return None


def byte_lines(
    path: Path, handle: IO[bytes], encoding: str, cap: int
) -> Iterator[tuple[bytes | None, int]]:
    """(line, size) per line; line is None when it is over `cap` bytes (then not kept)."""
    if "\n".encode(encoding) != b"\n":  # UTF-16/32: split lines after decoding
        yield from _wide_lines(path, handle, encoding, cap)
        return
    while raw := handle.readline(cap + 1):
        if len(raw) <= cap or raw.endswith(b"\n"):
            yield raw, len(raw)
            continue
        size = len(raw)
        while chunk := handle.readline(SKIP_CHUNK):
            size += len(chunk)
            if chunk.endswith(b"\n"):
                break
        yield None, size


def _wide_lines(
    path: Path, handle: IO[bytes], encoding: str, cap: int
) -> Iterator[tuple[bytes | None, int]]:
    import io

    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        while line := text.readline(cap + 1):
            if len(line) <= cap or line.endswith("\n"):
                yield line.encode(encoding), len(line)
                continue
            size = len(line)
            while chunk := text.readline(SKIP_CHUNK):
                size += len(chunk)
                if chunk.endswith("\n"):
                    break
            yield None, size
    except UnicodeDecodeError as err:
        raise FileFormatError(
            f"{path}: not valid {encoding} ({err.reason}). {ENCODING_HINT}"
        ) from None
    finally:
        text.detach()
