"""The app tells the truth on screen and over the API: majority-class heads say so, unreadable input is
warned about, every held-out split is shown, tune scores share one scale, long QA contexts are taken,
the API's defaults are the page's, and the documented types are the accepted ones."""
import json
import re
import tempfile

import gradio as gr
import pytest

from conftest import shipped

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained"), pytest.mark.timeout(300)]


# ---- honesty -------------------------------------------------------------------------------------
def test_a_majority_class_head_says_so_and_a_reading_head_does_not():
    """Found from the heads' own predictions on held-out inputs, not from the task's name."""
    from demo.classify import classify
    from demo.model import tabs_table
    from demo.pair import pair

    _, note, raw = pair("The trophy did not fit in the case because it was too big.", "The case was too big.",
                        "wnli", "default")
    assert note.startswith("⚠️ majority-class head: answers not_entailment (50.6 %) for every input")
    assert f"accuracy {shipped('wnli', 'accuracy')}" in note  # the score stays, with what it means
    _, note, _ = classify("a warm and funny film", "sst2", "default")
    assert "majority" not in note
    rows = {r[1]: r for r in tabs_table("default")}
    assert "majority class: answers not_entailment" in rows["wnli"][2]
    assert not any("majority" in rows[t][2] for t in ("sst2", "cola", "mrpc", "rte"))


def test_model_table_tune_scores_share_the_0_100_scale():
    from demo.model import tabs_table

    tune = {r[1]: r[5] for r in tabs_table("default", probe=False) if r[5]}
    assert {"sst2", "squad", "translation"} <= set(tune)
    for task, cell in tune.items():
        value = float(cell.rsplit(" ", 1)[1])
        assert 1 < value <= 100 and re.fullmatch(r"\S+ \d+\.\d", cell), (task, cell)  # no 0.94 beside 75.69


def test_every_held_out_split_is_in_the_line_and_the_table():
    import bertkit
    from bertkit.models import resolve
    from demo.honesty import source_line
    from demo.model import tabs_table

    line = source_line(bertkit.get_task("translation"), resolve("default", "translation"))
    assert f"bleu {shipped('translation', 'bleu')}" in line and "held-out test examples" in line
    assert f"bleu {shipped('translation', 'bleu', split='news_test')}" in line
    assert "1,500 held-out news_test examples" in line
    row = next(r for r in tabs_table("default", probe=False) if r[1] == "translation")
    assert "(news_test)" in row[3] and "news_test · 1,500" in row[4]


@pytest.mark.parametrize("text, reason", [
    ("😀🎉👍🔥", "no letters or digits"),
    ("这部电影非常好看，演员也很出色", "script this head was not trained on (CJK"),
    ("זה סרט נהדר מאוד", "script this head was not trained on (Hebrew"),
    ("Это очень хороший фильм", "(Cyrillic"),
])
def test_unreadable_text_gets_a_warning_above_the_answer(text, reason):
    from demo.classify import classify
    from demo.readable import WARNING, split_warning

    _, note, _ = classify(text, "sst2", "default")
    warning, rest = split_warning(note)
    assert warning.startswith(WARNING) and reason in warning and rest.startswith("ℹ️ **sst2** head")


def test_readable_text_gets_no_warning(tiny):
    from demo.readable import problems, warning
    from demo.translation import translate

    for text in ("a warm and funny film", "Ein Hund läuft über die Straße.", "Café au lait, s'il vous plaît",
                 "It costs $5 (about 4.60 €)."):
        assert problems(text) == [], text
    assert "cannot read" not in translate("Ein Hund läuft über die Straße.", 1, "default")[1]

    class Pieces:  # a tokenizer that knows none of the words: mostly [UNK]
        unk_token = "[UNK]"

        def tokenize(self, text):
            return ["[UNK]"] * 3 + ["a"]
    assert "unknown to the tokenizer ([UNK])" in warning(["qwzx vbnm"], Pieces())


# ---- QA over long contexts, its API defaults ------------------------------------------------------
def test_qa_takes_a_50000_character_context(tiny):
    from haystack import QUESTION, haystack

    from demo.qa import answer

    context = haystack(50_000)
    assert len(context) >= 50_000
    highlighted, table, summary, raw = answer(QUESTION, context, "squad", 3, None, tiny)
    assert highlighted["text"] == context and len(table) == 3 and raw["start"] >= 0
    with pytest.raises(gr.Error, match="at most 60,000"):
        answer(QUESTION, "x " * 31_000, "squad", 3, None, tiny)


def test_qa_api_defaults_are_the_pages(client, tiny, capfd):
    """The API documents an empty threshold (the head's tuned one, what the slider starts at), not the
    squad slider's 0.5; None and "" for optional values answer, with no traceback in the log."""
    from gradio_client.exceptions import AppError

    info = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    params = {p["parameter_name"]: p for p in info["/qa"]["parameters"]}
    assert params["threshold"]["parameter_default"] is None and params["top_k"]["python_type"]["type"] == "int"
    context = "France is a country in Western Europe. Its capital is Paris."
    for top_k, threshold in ((None, None), (3, None), (None, "")):
        _, _, summary, raw = client.predict("What is the capital?", context, "squad_v2", top_k, threshold, tiny,
                                            api_name="/qa")
        assert "error" not in raw and "top_k" in raw and summary
    with pytest.raises(AppError, match=r"threshold must be a number from 0 to 1; got 'nan'"):
        client.predict("What is the capital?", context, "squad_v2", 3, "nan", tiny, api_name="/qa")
    assert "Traceback" not in capfd.readouterr().err


def test_qa_default_threshold_is_the_tuned_one_through_the_api(tmp_path):
    """Called with no threshold, squad_v2 decides at the head's tuned threshold, as the page does."""
    from demo.qa import answer
    from demo.honesty import tuned_threshold

    tuned = tuned_threshold("squad_v2", "default")
    context = "France is a country in Western Europe. Its capital is Paris."
    question = "Who painted the ceiling of the chapel?"
    default = answer(question, context, "squad_v2", 5, None, "default")[3]
    explicit = answer(question, context, "squad_v2", 5, tuned, "default")[3]
    assert tuned is not None and tuned != 0.5 and default["start"] == explicit["start"]


# ---- one name and the documented types ---------------------------------------------------------
def test_srl_and_finetune_take_the_types_their_api_documents(client, tiny):
    from gradio_client.exceptions import AppError

    info = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    srl = {p["parameter_name"]: p for p in info["/srl"]["parameters"]}
    assert srl["predicate"]["python_type"]["type"] == "int" and srl["predicate"]["parameter_default"] == -1
    finetune = {p["parameter_name"]: p["python_type"]["type"] for p in info["/finetune"]["parameters"]}
    assert finetune["max_steps"] == finetune["batch_size"] == "int" and finetune["learning_rate"] == "float"
    for predicate in (1, -1, "1", None):
        raw = client.predict("Mary sold the book.", predicate, tiny, "srl", api_name="/srl")[3]
        assert raw["frames"] is not None
    from demo.srl import roles

    assert roles("Mary sold the book.", "1", tiny)[3]["frames"][0]["predicate"]["text"] == "sold"  # digits as text
    with pytest.raises(gr.Error, match="predicate must be a word index"):
        roles("Mary sold the book.", "sold", tiny)
    with pytest.raises(AppError, match="learning rate must be a number"):
        from gradio_client import handle_file

        from demo.finetune import EXAMPLE_FILE

        client.predict(handle_file(str(EXAMPLE_FILE)), "sst2", tiny, 3, 8, "Infinity", "", api_name="/finetune")


def test_no_server_path_in_the_api_page_or_the_mcp_schema(client, app_url):
    import httpx

    from demo.finetune import EXAMPLE_FILE

    api = json.dumps(client.view_api(print_info=False, return_format="dict"))
    schema = httpx.get(app_url + "gradio_api/mcp/schema", timeout=30).text
    for text in (api, schema):
        assert "/tmp/gradio" not in text and "bertkit-finetune" not in text and str(EXAMPLE_FILE.parent) not in text
        assert tempfile.gettempdir() + "/gradio" not in text
