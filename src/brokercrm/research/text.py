"""A report's text: extracted from its file (pypdf, python-docx, plain text), cut into Chinese words by jieba for the
full-text index, and the highlighted snippet a search shows."""
import io
import logging
import re
import zipfile
from pathlib import PurePath

import docx
import jieba
from pypdf import PdfReader
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from brokercrm.core.errors import DomainError

jieba.setLogLevel(logging.WARNING)

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
MAX_BYTES = 50 * 1024 * 1024
CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A PDF breaks a Chinese line wherever the page width ends, often inside a word: for the index, whitespace between two
# CJK characters is layout, not text (unless a sentence ended before it). The stored text keeps its lines (a title
# stays the first line).
_CJK_GAP = re.compile(rf"(?<=[{CJK}])(?<![。！？；：])\s+(?=[{CJK}])")
_WORD = re.compile(r"\w+")


def content_type_for(file_name: str) -> str:
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise DomainError(f"{file_name}: unsupported file type '{suffix or '(none)'}'; upload PDF, Word (.docx), Markdown or text",
                          field="file")
    return CONTENT_TYPES[suffix]


def extract_text(file_name: str, data: bytes) -> str:
    """The report's text; DomainError naming the file when it cannot be read or holds no text."""
    content_type_for(file_name)
    if not data:
        raise DomainError(f"{file_name}: the file is empty", field="file")
    if len(data) > MAX_BYTES:
        raise DomainError(f"{file_name}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="file")
    suffix = PurePath(file_name).suffix.lower()
    try:
        raw = {".pdf": _pdf_text, ".docx": _docx_text}.get(suffix, _plain_text)(data)
    except Exception as exc:  # noqa: BLE001  (any parser failure is a file the user must fix)
        raise DomainError(f"{file_name}: cannot read the {suffix[1:].upper()} file ({exc or exc.__class__.__name__})", field="file") from exc
    text = normalise(raw)
    if not text:
        raise DomainError(f"{file_name}: no text found in the file (a scanned PDF needs OCR first)", field="file")
    return text


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _docx_text(data: bytes) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError("not a Word .docx file; a .doc must be saved as .docx first")
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _plain_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("the text is neither UTF-8 nor GB18030")


def normalise(text: str) -> str:
    """Collapse blank runs, keep the lines."""
    text = text.replace("\x00", "")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def words(text: str, *, for_index: bool) -> list[str]:
    """Lower-cased words: jieba's search cut for the index (a long word and the shorter words inside it, so 能源 finds
    新能源汽车), its exact cut for a query (every query word must be in the report)."""
    cut = jieba.cut_for_search(text) if for_index else jieba.cut(text)
    return [w.lower() for token in cut for w in _WORD.findall(token)]


def search_text(title: str, body: str) -> str:
    """What the full-text index holds: the words of title and body, Chinese lines broken by layout joined first."""
    return " ".join(words(_CJK_GAP.sub("", f"{title}\n{body}"), for_index=True))


def snippet(body: str, terms: list[str], *, width: int = 60) -> SafeString:
    """The passage around the first query word in the body, escaped, each query word in <mark>."""
    lowered = body.lower()
    hits = [i for i in (lowered.find(t) for t in terms if t) if i >= 0]
    start = max(min(hits) - width // 2, 0) if hits else 0
    passage = body[start:start + width * 2].replace("\n", " ")
    pieces, last = [], 0
    if hits:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True) if t), re.IGNORECASE)
        for match in pattern.finditer(passage):
            pieces += [escape(passage[last:match.start()]), f"<mark>{escape(match.group(0))}</mark>"]
            last = match.end()
    pieces.append(escape(passage[last:]))
    return mark_safe(("…" if start else "") + "".join(pieces) + ("…" if start + width * 2 < len(body) else ""))
