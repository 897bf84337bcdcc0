"""The dashboard's one-page PDF as WeasyPrint lays it out: rows of sections as fixed-layout tables (a CSS
grid took WeasyPrint about 5x the time of the same HTML without the stylesheet), figures in six equal
columns and aligned across a row, every script's glyphs, and WeasyPrint's fonts and stylesheets kept
between documents (bench/test_pdf.py times it)."""

import datetime as dt
import io
import logging
import threading

import pytest
from pypdf import PdfReader

from ccm_portal.core import documents
from progress import exports
from progress.models import Audience
from progress.types import Dashboard
from tests.progress.test_exports import figure, flat, pdf_pages

pytestmark = pytest.mark.django_db

ARABIC = "الدول الأطراف التي أكملت تدمير المخزونات"
CHINESE = "已完成库存销毁的缔约国"


def board(*figures):
    return Dashboard(as_of=dt.date(2026, 2, 3), audience=Audience.PUBLIC, figures=tuple(figures))


def figure_boxes(document):
    """The laid-out box of every figure on the first page, in reading order."""
    found = []

    def walk(box):
        element = getattr(box, "element", None)
        if element is not None and box.element_tag == "td" and "figure" in element.get("class", "").split():
            found.append(box)
        for child in getattr(box, "children", ()):
            walk(child)

    walk(document.pages[0]._page_box)
    return found


def test_a_row_is_six_columns_with_empty_cells_where_sections_end():
    row = exports.pack(
        [
            ("membership", [figure(f"m{n}", n) for n in range(4)]),
            ("clearance", [figure("c", 1, section="clearance")]),
            ("transparency", [figure(f"t{n}", n, section="transparency") for n in range(9)]),
        ]
    )
    assert [[(b.span, b.lines) for b in r] for r in row] == [[(4, 1), (1, 1)], [(6, 2)]]
    first, second = (exports.table_lines(r) for r in row)
    assert exports.spare_columns(row[0]) == 1
    assert [[(c.card["figure"].key if c.card else None, c.span) for c in line] for line in first] == [
        [("m0", 1), ("m1", 1), ("m2", 1), ("m3", 1), ("c", 1), (None, 1)]
    ]
    assert [[c.card["figure"].key if c.card else c.span for c in line] for line in second] == [
        ["t0", "t1", "t2", "t3", "t4", "t5"],
        ["t6", "t7", "t8", 3],  # three columns left empty on the second line
    ]


def test_figures_of_a_row_line_up_under_headings_that_wrap():
    dashboard = board(
        figure("parties", 112, section="membership", label="States Parties"),
        figure("measures", 33, denominator=41, section="national_implementation", label="Laws adopted"),
        figure("other", 5, section="membership", label="Signatories"),
    )
    html = exports.build_html(dashboard)
    assert 'scope="colgroup"><h2>National implementation measures (Art. 9)</h2>' in html
    document = exports._lay_out(html)
    boxes = figure_boxes(document)
    assert len(document.pages) == 1 and len(boxes) == 3
    # The long heading takes two lines over its figure; the figures still start and end level.
    assert len({round(b.border_box_y(), 1) for b in boxes}) == 1
    assert len({round(b.border_height(), 1) for b in boxes}) == 1
    # Six equal columns: every figure as wide as the others, whatever its section's span.
    assert len({round(b.border_width(), 1) for b in boxes}) == 1
    page_width = document.pages[0].width
    assert 0.14 < boxes[0].border_width() / page_width < 0.16


def test_arabic_and_chinese_labels_are_drawn_with_their_fonts(caplog):
    dashboard = board(
        figure("ar", 33, denominator=41, label=ARABIC),
        figure("zh", 12, denominator=20, label=CHINESE),
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        rendered = exports.render_pdf(dashboard)
    assert rendered.pages == 1
    # WeasyPrint logs every character drawn as .notdef (no installed font has it): none here.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    [text] = pdf_pages(rendered.data)
    assert CHINESE in flat(text)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(rendered.data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(name.endswith("+Noto-Sans-Arabic") for name in fonts), fonts
    assert any(name.endswith("+WenQuanYi-Micro-Hei") for name in fonts), fonts


def test_the_stylesheet_is_parsed_once_and_the_fonts_kept_per_thread():
    text = documents.stylesheet_text(exports.STYLESHEET)
    exports.render_pdf(board(figure("parties", 112)))
    sheet, fonts = documents._stylesheet(text), documents._tools().fonts
    exports.render_pdf(board(figure("parties", 113)))
    assert documents._stylesheet(text) is sheet and documents._tools().fonts is fonts
    # Another thread has its own (Pango's font map is not shared between threads).
    seen = {}
    thread = threading.Thread(target=lambda: seen.update(fonts=documents._tools().fonts))
    thread.start()
    thread.join()
    assert seen["fonts"] is not fonts
    # A changed stylesheet is parsed afresh.
    assert documents._stylesheet(text + "\n.n { color: black; }") is not sheet
