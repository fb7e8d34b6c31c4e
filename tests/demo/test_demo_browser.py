"""A real browser (Playwright driving Debian Chromium). On the launched test app (tiny model):
fill-mask, QA (the answer highlighted in its context) and NER (entities coloured per type), checked
against direct calls of the same functions. On a fresh start of `python app.py` (the default model,
no results folder): the leaderboard shows the GLUE table with reference rows, qnli is not offered,
the squad_v2 slider starts at the tuned threshold, an error appears inside the output area, the
Model tab's code is not clipped, and every tab is screenshotted into artifacts/screenshots/."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SERVER_TIMEOUT, free_port, shipped

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
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
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg")))  # Chromium's crash reporter
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.get_by_text("bertkit · BERT workbench").first.wait_for()
    return page


@pytest.fixture(scope="module")
def page(app_url, browser):
    page = open_page(browser, app_url)
    yield page
    page.close()


@pytest.fixture(scope="module")
def fresh_url(tmp_path_factory):
    """`python app.py` as a new user starts it: the default model, an empty working folder."""
    work = tmp_path_factory.mktemp("fresh-start")
    port = free_port()
    env = dict(os.environ, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), HF_HUB_OFFLINE="1",
               GRADIO_EXAMPLES_CACHE=str(tmp_path_factory.mktemp("fresh-examples")), PYTHONWARNINGS="ignore")
    env.pop("BERTKIT_DEMO_MODEL", None)
    process = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=work, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    import httpx

    start = time.time()
    while time.time() - start < 90:
        assert process.poll() is None, "app.py exited"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def fresh(fresh_url, browser):
    page = open_page(browser, fresh_url)
    yield page
    page.close()


def tab(page, name: str):
    page.get_by_role("tab", name=name, exact=True).click()


def options(page, dropdown_id: str) -> list[str]:
    """The choices a dropdown offers, as the user sees them when opening it."""
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option").first.wait_for()
    shown = [o.inner_text().strip().split("\n")[-1] for o in page.get_by_role("option").all()]  # "✓\nmrpc"
    page.keyboard.press("Escape")
    return shown


def pick(page, dropdown_id: str, choice: str):
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=choice, exact=True).click()


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
    # words stay whole when the context wraps ("at t / he Sorbonne" was the bug)
    assert page.locator("#qa_highlight .textfield").evaluate("e => getComputedStyle(e).wordBreak") == "normal"
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


def test_finetune_keeps_every_finished_run_and_flags_a_small_hold_out(page):
    page.get_by_role("tab", name="Fine-tune").click()
    for n in (1, 2):  # the runs list grows when a run has finished
        page.locator("#finetune_run").click()
        page.wait_for_function("n => document.querySelectorAll('#finetune_runs a').length >= n", arg=n,
                               timeout=90_000)
    status = page.locator("#finetune_status").inner_text()
    assert "Done" in status and "Unreliable score: only 8 held-out rows" in status
    page.screenshot(path=str(SCREENSHOTS / "finetune_two_runs.png"), full_page=True)


# ---- a fresh start of `python app.py` -------------------------------------------------------------
def test_fresh_leaderboard_shows_glue_with_reference_rows(fresh):
    tab(fresh, "Leaderboard")
    tables = fresh.locator("#leaderboard_tables")
    tables.get_by_text("default (shipped)").first.wait_for()
    glue = tables.locator("table").first
    text = glue.inner_text()
    assert "CoLA MCC" in text and "SST-2 acc" in text
    rows = [r.inner_text() for r in glue.locator("tr").all()]
    assert any(r.startswith("default (shipped)") and shipped("sst2", "accuracy", ci=False) in r for r in rows)
    assert any(r.startswith("BERT-base") for r in rows) and any(r.startswith("MiniLM-L6xH384") for r in rows)
    assert any("Δ vs MiniLM-L6xH384" in r for r in rows)
    fresh.locator("#leaderboard_plots img").first.wait_for()
    fresh.screenshot(path=str(SCREENSHOTS / "leaderboard.png"), full_page=True)


def test_fresh_qnli_is_not_offered_for_the_default_model(fresh):
    tab(fresh, "Pairs")
    shown = options(fresh, "pair_task")
    assert "qnli" not in shown and {"mrpc", "stsb", "rte", "wnli"} <= set(shown)
    assert "not offered for default (no trained head): qnli" in fresh.locator("#pair_task").inner_text()
    examples = " ".join(t.inner_text() for t in fresh.locator("table").all() if t.is_visible())
    assert "mrpc" in examples and "wnli" in examples and "qnli" not in examples  # nor its examples
    tab(fresh, "Explain")
    assert "qnli" not in options(fresh, "explain_task")


def test_fresh_squad_v2_slider_starts_at_the_tuned_threshold(fresh):
    tuned = json.loads((REPO / "bertkit" / "heads" / "squad_v2" / "bertkit.json").read_text())["no_answer_threshold"]
    tab(fresh, "QA")
    pick(fresh, "qa_task", "squad_v2")
    number = fresh.locator("#qa_threshold input[type=number]")
    fresh.wait_for_function("e => !e.disabled", arg=number.element_handle())
    assert abs(float(number.input_value()) - tuned) < 1e-4
    assert f"starts at {tuned:.4f}, the threshold tuned on this head" in fresh.locator("#qa_threshold").inner_text()
    fresh.locator("#qa_run").click()
    fresh.locator("#qa_summary").get_by_text("squad_v2").first.wait_for()
    assert "held-out dev examples" in fresh.locator("#qa_summary").inner_text()
    fresh.screenshot(path=str(SCREENSHOTS / "qa_squad_v2.png"), full_page=True)


def test_fresh_error_appears_inside_the_output_area(fresh):
    tab(fresh, "Classify")
    box = fresh.locator("#classify_text textarea, #classify_text input").first
    box.fill("")
    box.press("Enter")  # Enter submits a single-line input
    note = fresh.locator("#classify_note")
    note.get_by_text("Error:").wait_for()
    assert "text is empty: type some text" in note.inner_text()
    fresh.screenshot(path=str(SCREENSHOTS / "classify_error.png"), full_page=True)


def test_fresh_model_tab_code_is_not_clipped(fresh):
    tab(fresh, "Model")
    fresh.locator("#model_cli").get_by_text("python -m bertkit").first.wait_for()
    fresh.locator("#model_card").get_by_text("card field").first.wait_for()
    for element_id in ("model_cli", "model_python", "model_client"):
        widths = fresh.locator(f"#{element_id} .cm-scroller").evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] <= widths[1], (element_id, widths)
    for code in fresh.locator("#model_card pre").all():
        widths = code.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] <= widths[1], widths
    table = fresh.locator("#model_table").inner_text()
    assert f"accuracy {shipped('sst2', 'accuracy')}" in table and "translation" in table  # every row, held-out scores
    fresh.screenshot(path=str(SCREENSHOTS / "model.png"), full_page=True)


# (tab, button, element that shows the answer, text in it) for the screenshots of every tab
TABS = [("Fill-mask", "fill_mask_run", "fill_mask_note", "held-out"), ("Classify", "classify_run", "classify_note",
        "held-out"), ("Pairs", "pair_run", "pair_note", "held-out"), ("QA", "qa_run", "qa_summary", "held-out"),
        ("Entities", "ner_run", "ner_note", "held-out"), ("Semantic roles", "srl_run", "srl_note", "held-out"),
        ("Translate", "translate_run", "translate_note", "held-out"), ("Tokenizer", "tok_run", "tok_summary", "tokens"),
        ("Attention", "attention_run", "attention_plot", None), ("Explain", "explain_run", "explain_note", "held-out"),
        ("Fine-tune", None, None, None), ("Leaderboard", None, "leaderboard_tables", "GLUE"),
        ("Model", None, "model_card", "card field")]


@pytest.mark.timeout(6 * SERVER_TIMEOUT)
def test_fresh_screenshot_of_every_tab(fresh):
    fresh.reload()  # the page as it starts, not as the tests above left it
    fresh.get_by_text("bertkit · BERT workbench").first.wait_for()
    for title, button, answer, text in TABS:
        tab(fresh, title)
        if button:
            fresh.locator(f"#{button}").click()
        if answer and text:
            fresh.locator(f"#{answer}").get_by_text(text).first.wait_for(timeout=90_000)
        elif answer:
            fresh.locator(f"#{answer} img, #{answer} canvas, #{answer} svg").first.wait_for(timeout=90_000)
        fresh.wait_for_timeout(300)
        name = title.lower().replace(" ", "_").replace("-", "_")
        fresh.screenshot(path=str(SCREENSHOTS / f"tab_{name}.png"), full_page=True)
    assert len(list(SCREENSHOTS.glob("tab_*.png"))) >= len(TABS)
