"""A real browser (Playwright driving Debian Chromium) on the launched app: fill-mask, QA (the answer
highlighted in its context) and NER (entities coloured per type). Shown values are checked against
direct calls of the same functions; screenshots go to artifacts/screenshots/."""
import os
from pathlib import Path

import pytest

from conftest import SERVER_TIMEOUT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WAIT_MS = 30_000

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`"),
    pytest.mark.filterwarnings("ignore:.*has no trained"),
    pytest.mark.timeout(2 * SERVER_TIMEOUT),
]


def rgba(hex_color: str, alpha: float = 0.5) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg")))  # Chromium's crash reporter
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1200})
        page.set_default_timeout(WAIT_MS)
        page.goto(app_url)
        page.get_by_text("bertkit · BERT workbench").first.wait_for()
        yield page
        browser.close()


def highlighted_tokens(page, element_id: str) -> list[tuple[str, str]]:
    """(text, background colour) of every highlighted span of a HighlightedText."""
    tokens = page.locator(f"#{element_id} .token.highlighted")
    return [(tokens.nth(i).locator(".text").inner_text(),
             tokens.nth(i).evaluate("e => getComputedStyle(e).backgroundColor")) for i in range(tokens.count())]


def shown_text(page, element_id: str) -> str:
    """The text a HighlightedText shows, without its labels."""
    return page.evaluate(f"Array.from(document.querySelectorAll('#{element_id} .token .text'))"
                         ".map(e => e.textContent).join('')")


def test_fill_mask_in_the_browser(page, tiny):
    from demo.common import piece_text
    from demo.fill_mask import fill_mask

    text = "The capital of France is [MASK]."
    _, table, _, expected = fill_mask(text, 5, tiny)
    page.locator("#fill_mask_text textarea").fill(text)
    page.locator("#fill_mask_run").click()
    filled = page.locator("#fill_mask_filled")
    filled.locator(".token.highlighted").first.wait_for()
    best = piece_text(expected["masks"][0]["candidates"][0]["token_str"])
    assert filled.locator(".token.highlighted .text").first.inner_text() == best
    assert filled.locator(".token.highlighted .label").first.inner_text() == "[MASK] 1"
    assert shown_text(page, "fill_mask_filled") == f"The capital of France is {best}."
    table_text = page.locator("#fill_mask_table").inner_text()
    assert all(row[2] in table_text for row in table)
    page.screenshot(path=str(SCREENSHOTS / "fill_mask.png"), full_page=True)


def test_qa_answer_is_highlighted_in_its_context(page, tiny):
    from demo.qa import answer

    question = "Which team won Super Bowl 50?"
    context = ("Super Bowl 50 was an American football game. The Denver Broncos defeated the Carolina Panthers "
               "24-10 to earn their third Super Bowl title.")
    _, _, _, expected = answer(question, context, "squad", 5, 0.5, tiny)
    page.get_by_role("tab", name="QA", exact=True).click()
    page.locator("#qa_question textarea, #qa_question input").first.fill(question)
    page.locator("#qa_context textarea").fill(context)
    page.locator("#qa_run").click()
    page.locator("#qa_highlight .token.highlighted").first.wait_for()
    [(shown, colour)] = highlighted_tokens(page, "qa_highlight")
    assert shown == expected["answer"] and colour == rgba("#facc15")
    assert shown_text(page, "qa_highlight") == context
    assert f"Answer: {expected['answer']}" in page.locator("#qa_summary").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "qa.png"), full_page=True)


def test_ner_entities_are_coloured_by_type(page, tiny):
    from demo.ner import COLORS, entities

    text = "Sundar Pichai said Google will open a new office in Zurich."
    _, _, _, expected = entities(text, tiny)
    page.get_by_role("tab", name="Entities").click()
    page.locator("#ner_text textarea").fill(text)
    page.locator("#ner_run").click()
    page.locator("#ner_highlight .token.highlighted").first.wait_for()
    page.wait_for_function("n => document.querySelectorAll('#ner_highlight .token.highlighted').length === n",
                           arg=len(expected["spans"]))
    shown = highlighted_tokens(page, "ner_highlight")
    assert shown == [(s["text"], rgba(COLORS[s["label"]])) for s in expected["spans"]]
    legend = page.locator("#ner_highlight [data-testid='highlighted-text:category-legend']").inner_text()
    assert all(label in legend for label in COLORS)
    page.screenshot(path=str(SCREENSHOTS / "ner.png"), full_page=True)
