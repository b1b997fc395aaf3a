"""Text extraction from every supported file type, the refusals of unreadable files, jieba's words and the snippet."""
import io

import docx
import pytest

from brokercrm.core.errors import DomainError
from brokercrm.research.tests.factories import ev_report_pdf
from brokercrm.research.text import extract_text, normalise, search_text, snippet, words


def test_a_generated_chinese_pdf_gives_its_text_back_with_words_unbroken():
    """The WeasyPrint PDF's text is extracted whole: the long phrase 新能源汽车产业链 survives line layout."""
    text = extract_text("周报.pdf", ev_report_pdf())
    assert "新能源汽车产业链景气度持续提升" in text
    assert text.splitlines()[0] == "行业周报"


def test_a_word_document_gives_its_paragraphs_and_tables():
    """python-docx reads the paragraphs and the cells of a .docx."""
    document = docx.Document()
    document.add_paragraph("白酒行业点评")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "贵州茅台"
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_text("点评.docx", buffer.getvalue()) == "白酒行业点评\n贵州茅台"


def test_markdown_in_utf8_and_text_in_gb18030_are_both_read():
    """Plain files: UTF-8 (with or without BOM) first, then GB18030, the encoding of older Chinese Windows files."""
    assert extract_text("早报.md", "\ufeff# 晨会纪要\n\n市场震荡".encode()) == "# 晨会纪要\n\n市场震荡"
    assert extract_text("早报.txt", "晨会纪要".encode("gb18030")) == "晨会纪要"


@pytest.mark.parametrize("name, data, message", [
    ("报告.pdf", b"%PDF-1.4 not really", "报告.pdf: cannot read the PDF file"),
    ("报告.docx", b"plain bytes", "报告.docx: cannot read the DOCX file"),
    ("报告.xls", b"x", "报告.xls: unsupported file type '.xls'"),
    ("报告.txt", b"", "报告.txt: the file is empty"),
    ("报告.txt", b"  \n ", "报告.txt: no text found in the file"),
])
def test_a_bad_file_is_refused_with_a_message_naming_it(name, data, message):
    """Each unreadable file raises a DomainError on the file field whose message starts with the file's name."""
    with pytest.raises(DomainError) as refused:
        extract_text(name, data)
    assert refused.value.message.startswith(message) and refused.value.field == "file"


def test_a_chinese_word_broken_across_lines_is_indexed_whole_while_the_text_keeps_its_lines():
    """The index joins '新能\\n源' into 新能源 (a PDF line break inside a word); the stored text keeps its lines."""
    assert "新能源" in search_text("", "新能\n源汽车。\n第二段").split()
    assert normalise("新能\n源  汽车\n\n\n\n下一段") == "新能\n源 汽车\n\n下一段"


def test_index_words_include_the_shorter_words_inside_long_ones():
    """The index cut holds 能源 inside 新能源; the query cut keeps 新能源 whole."""
    assert {"能源", "新能源", "汽车", "产业链"} <= set(words("新能源汽车产业链", for_index=True))
    assert words("新能源", for_index=False) == ["新能源"]


def test_the_snippet_marks_the_words_and_escapes_the_text():
    """Every query word is in <mark>, the longer first; markup in the report text is escaped."""
    assert str(snippet("<b>新能源</b>汽车的能源结构", ["新能源", "能源"])) == "&lt;b&gt;<mark>新能源</mark>&lt;/b&gt;汽车的<mark>能源</mark>结构"
