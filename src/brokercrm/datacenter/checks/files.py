"""Whole-file facts (sha256, line count, BOM, encoding) and the manifest rules of a day folder."""
from __future__ import annotations

import codecs
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from brokercrm.core.errors import Problem
from brokercrm.datacenter.sources.config import SourceConfig

CHUNK = 4 * 1024 * 1024
BOM = codecs.BOM_UTF8


@dataclass(frozen=True)
class FileInfo:
    """What one pass over a delivered file's bytes tells: hash, records, BOM, encoding error."""

    table: str
    name: str  # as delivered, e.g. deliveries.csv
    rel: str  # relative to the delivery root, e.g. 2026-03-02/deliveries.csv
    path: Path
    text_path: Path  # UTF-8 text DuckDB reads: the file itself, or a transcoded copy
    exists: bool
    sha256: str = ""
    lines: int = 0
    bom: bool = False
    encoding_error: str = ""
    encoding_error_line: int | None = None

    @property
    def rows(self) -> int:
        """Data records: physical lines minus the header."""
        return max(self.lines - 1, 0)

    @property
    def readable(self) -> bool:
        return self.exists and not self.encoding_error


def scan_file(table: str, name: str, rel: str, path: Path, encoding: str, scratch: Path) -> FileInfo:
    """Hash the bytes, count lines and check the encoding in one streaming pass (C speed)."""
    if not path.is_file():
        return FileInfo(table=table, name=name, rel=rel, path=path, text_path=path, exists=False)
    utf8 = codecs.lookup(encoding).name == "utf-8"
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    newlines = 0
    last = b""
    first = b""
    error = ""
    error_line = None
    text_path = path
    out = None
    if not utf8:
        text_path = scratch / f"{table}.utf8"
        out = text_path.open("w", encoding="utf-8", newline="")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if not first:
                    first = chunk[:3]
                digest.update(chunk)
                if not error:
                    pending = len(decoder.getstate()[0])
                    try:
                        text = decoder.decode(chunk)
                        if out is not None:
                            out.write(text)
                    except UnicodeDecodeError as exc:
                        at = max(exc.start - pending, 0)
                        error_line = newlines + chunk.count(b"\n", 0, at) + 1
                        error = f"byte 0x{exc.object[exc.start]:02x} is not valid {encoding}"
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
        if not error:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                error_line = newlines + 1
                error = f"the file ends inside a {encoding} character"
    finally:
        if out is not None:
            out.close()
    lines = newlines + (1 if last and last != b"\n" else 0)
    return FileInfo(
        table=table, name=name, rel=rel, path=path, text_path=text_path, exists=True,
        sha256=digest.hexdigest(), lines=lines, bom=first.startswith(BOM),
        encoding_error=error, encoding_error_line=error_line,
    )


def check_manifest(
    day_dir: Path, rel_dir: str, business_date: date, config: SourceConfig, infos: dict[str, FileInfo]
) -> list[Problem]:
    """The manifest rules: present, valid, same date and interface, files listed = files present, rows, sha256."""
    name = config.manifest
    manifest_rel = f"{rel_dir}/{name}"
    path = day_dir / name
    if not path.is_file():
        return [Problem(f"{name} is missing: the day is incomplete and is refused", file=manifest_rel)]
    try:
        tree = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return [Problem(f"{name} is not UTF-8 text", file=manifest_rel)]
    except json.JSONDecodeError as exc:
        return [Problem(f"{name} is not valid JSON: {exc.msg} (column {exc.colno})", file=manifest_rel, line=exc.lineno)]
    if not isinstance(tree, dict):
        return [Problem(f"{name} must hold a JSON object", file=manifest_rel, line=1)]
    problems: list[Problem] = []
    if tree.get("interface") != config.interface:
        problems.append(Problem(
            f"interface is {tree.get('interface')!r}; expected {config.interface!r}", file=manifest_rel, column="interface"))
    stated = tree.get("business_date")
    accepted = {business_date.isoformat(), business_date.strftime(config.date_format)}
    if stated not in accepted:
        problems.append(Problem(
            f"business_date is {stated!r}, but the folder is {business_date.strftime(config.folder_format)}",
            file=manifest_rel, column="business_date"))
    files = tree.get("files")
    if not isinstance(files, dict):
        problems.append(Problem(f"{name} has no \"files\" object listing the folder's files", file=manifest_rel, column="files"))
        return problems
    present = sorted(p.name for p in day_dir.iterdir() if p.is_file() and p.name != name and not p.name.startswith("."))
    by_name = {info.name: info for info in infos.values()}
    for listed, entry in files.items():
        file_rel = f"{rel_dir}/{listed}"
        if listed not in present:
            problems.append(Problem(f"listed in {name} but missing from the folder", file=file_rel))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(f"{name}: the entry of {listed} must be an object with rows and sha256", file=manifest_rel, column="files"))
            continue
        info = by_name.get(listed)
        rows, sha = entry.get("rows"), entry.get("sha256")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            problems.append(Problem(f"{name}: rows of {listed} is {rows!r}; expected a whole number", file=manifest_rel, column="rows"))
        elif info is not None and rows != info.rows:
            problems.append(Problem(f"{name} says {rows} rows; the file has {info.rows}", file=file_rel))
        if not isinstance(sha, str):
            problems.append(Problem(f"{name}: sha256 of {listed} is missing", file=manifest_rel, column="sha256"))
        else:
            actual = info.sha256 if info is not None else hashlib.sha256((day_dir / listed).read_bytes()).hexdigest()
            if sha.lower() != actual:
                problems.append(Problem(f"sha256 is {actual}; {name} says {sha}", file=file_rel))
    for extra in present:
        if extra not in files:
            problems.append(Problem(f"{extra} is in the folder but not listed in {name}", file=f"{rel_dir}/{extra}"))
    return problems
