"""The launched app as an API: gradio_client calls every endpoint, bad input comes back as a clear
AppError while the server keeps serving, 32 parallel clients all get their own right answer, and
`python app.py` starts and answers within 25 s."""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import SERVER_TIMEOUT, free_port, shipped

pytestmark = [pytest.mark.filterwarnings("ignore:.*has no trained"), pytest.mark.timeout(SERVER_TIMEOUT)]
REPO = Path(__file__).resolve().parents[2]
# the public endpoints (and MCP tools); UI-only events (predicate list, slider ranges, cancel, the
# page's error-in-place versions) are private
ENDPOINTS = {"/fill_mask", "/fill_mask_batch", "/classify", "/classify_batch", "/pair", "/pair_batch", "/qa", "/ner",
             "/ner_batch", "/srl", "/translate", "/tokenize", "/attention", "/explain", "/finetune",
             "/finetune_format", "/finetune_try", "/leaderboard", "/model_info"}


def test_every_endpoint_answers(client, tiny):
    from gradio_client import handle_file

    from demo.finetune import EXAMPLE_FILE
    from demo.leaderboard import PLOTS

    named = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert ENDPOINTS <= named, f"missing: {ENDPOINTS - named}"
    assert not {n for n in named - ENDPOINTS if not n.startswith("/load_example")}, "undocumented endpoints"

    filled, table, note, raw = client.predict("Paris is the [MASK] of France.", 3, tiny, api_name="/fill_mask")
    assert filled[1]["class_or_confidence"] == "[MASK] 1" and len(table["data"]) == 3 and "no trained" in note
    assert len(client.predict("a [MASK].", 2, tiny, api_name="/fill_mask_batch")["masks"][0]["candidates"]) == 2
    label, _, raw = client.predict("a charming film", "sst2", tiny, api_name="/classify")
    assert label["label"] == raw["label"] and {c["label"] for c in label["confidences"]} == {"negative", "positive"}
    assert set(client.predict("good", "sst2", tiny, api_name="/classify_batch")["scores"]) == {"negative", "positive"}
    label, _, raw = client.predict("A man sings.", "A man is singing.", "mrpc", tiny, api_name="/pair")
    assert label["label"] == raw["label"]
    assert "score" in client.predict("A man sings.", "A man is singing.", "stsb", tiny, api_name="/pair_batch")
    context = "France is a country in Western Europe. Its capital is Paris."
    highlighted, candidates, summary, raw = client.predict("What is the capital?", context, "squad", 3, 0.5, tiny,
                                                           api_name="/qa")
    marked = [h["token"] for h in highlighted if h["class_or_confidence"] == "answer"]
    assert marked == [raw["answer"]] and "**Answer:**" in summary and len(candidates["data"]) <= 3
    spans, table, _, raw = client.predict("Angela Merkel visited Paris.", tiny, api_name="/ner")
    assert len(table["data"]) == len(raw["spans"])
    assert "spans" in client.predict("Angela Merkel visited Paris.", tiny, api_name="/ner_batch")
    html, _, _, raw = client.predict("Mary sold the book.", 1, tiny, api_name="/srl")
    assert raw["frames"][0]["predicate"]["text"] == "sold" and "srl-frame" in html
    english, _, raw = client.predict("Ein Hund.", 1, tiny, api_name="/translate")
    assert english == raw["text"]
    _, table, summary, raw = client.predict("unaffable", "", tiny, api_name="/tokenize")
    assert raw["tokens"] == ["[CLS]", "una", "##ffa", "##ble", "[SEP]"] and "5 tokens" in summary
    plot, raw = client.predict("The cat sat.", "", 1, 1, True, False, tiny, api_name="/attention")
    assert plot["type"] == "matplotlib" and len(raw["matrix"]) == len(raw["tokens"]) == 6
    segments, label, table, _, raw = client.predict("a fine film", "", "sst2", "gradient × input", 8, tiny,
                                                    api_name="/explain")
    assert [row[0] for row in table["data"]] == ["a", "fine", "film"]
    assert "Columns: `text`, `label`" in client.predict("sst2", api_name="/finetune_format")
    status, plot, archive, folder = client.predict(handle_file(str(EXAMPLE_FILE)), "sst2", tiny, 3, 8, 5e-4,
                                                   api_name="/finetune")
    assert "**Done**" in status and archive.endswith(".zip") and folder
    label, raw = client.predict("a fine film", "", folder, "sst2", api_name="/finetune_try")
    assert label["label"] == raw["label"]
    text, plots = client.predict(api_name="/leaderboard")
    assert "### GLUE" in text and "| default | dev |" in text and "85.5 (partial: 1/9)" in text
    assert f"| default (shipped) | dev | {shipped('cola', 'matthews_correlation', ci=False)} | {shipped('sst2', 'accuracy', ci=False)} |" in text  # the shipped heads' held-out row
    assert [p["caption"] for p in plots] == [c for _, c in PLOTS] and all(Path(p["image"]).is_file() for p in plots)
    assert "Δ vs BERT-large (test)" in client.predict("BERT-large", api_name="/leaderboard")[0]
    table, card, provenance, cli, python, snippet = client.predict("ner", tiny, api_name="/model_info")
    assert provenance["kind"] == "local" and "api_name='/ner'" in snippet and cli.startswith("python -m bertkit")
    # list arguments, as the API page documents them
    answers = client.predict(["good", "bad"], ["sst2"], [tiny], api_name="/classify_batch")
    assert len(answers) == 2 and all(set(a["scores"]) == {"negative", "positive"} for a in answers)


def test_bad_input_is_an_app_error_and_the_server_keeps_serving(client, tiny):
    from gradio_client.exceptions import AppError

    cases = [
        (("No mask here.", 5, tiny), "/fill_mask", "no [MASK] in the text"),
        (("", "sst2", tiny), "/classify", "text is empty"),
        (("x" * 100_000, "sst2", tiny), "/classify", "100,000 characters long"),
        (("nul\x00byte", tiny), "/ner", "control character (U+0000"),
        (("Who?", "", "squad", 5, 0.5, tiny), "/qa", "a question needs a context"),
        (("fine", "sst2", "/no/such/folder"), "/classify", "no model folder at '/no/such/folder'"),
        (("[MASK] " * 600, 5, tiny), "/fill_mask", "this model takes at most 512"),
    ]
    for args, api, message in cases:
        with pytest.raises(AppError) as info:
            client.predict(*args, api_name=api)
        assert message in str(info.value) and "truncate=True" not in str(info.value)
    assert client.predict("No mask here.", 5, tiny, api_name="/fill_mask_batch")["error"].startswith("no [MASK]")
    assert client.predict("fine", "sst2", tiny, api_name="/classify")[2]["label"]  # still serving


def same(a, b, tol=1e-4) -> bool:
    """Equal structures, floats within `tol` (batched and single forwards pad differently)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], tol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= tol
    return a == b


def test_32_parallel_clients_each_get_their_own_answer(app_url, tiny):
    """Distinct inputs over batched and unbatched endpoints; each reply must match a direct call."""
    from gradio_client import Client

    import bertkit

    texts = [f"Story number {i} was {'great' if i % 2 else 'dull'} and [MASK]." for i in range(32)]
    fill, sst2, ner = (bertkit.load(t, tiny) for t in ("fill-mask", "sst2", "ner"))
    clients = [Client(app_url, verbose=False) for _ in range(4)]

    def call(i):
        client, text = clients[i % 4], texts[i]
        kind = i % 4
        if kind == 0:
            return client.predict(text, 3, tiny, api_name="/fill_mask_batch"), fill(text, top_k=3)
        if kind == 1:
            return client.predict(text, 3, tiny, api_name="/fill_mask")[3], fill(text, top_k=3)
        if kind == 2:
            return client.predict(text, "sst2", tiny, api_name="/classify_batch"), sst2(text)
        return client.predict(text, tiny, api_name="/ner")[3], ner(text)

    start = time.time()
    with ThreadPoolExecutor(32) as pool:
        pairs = list(pool.map(call, range(32)))
    elapsed = time.time() - start
    for got, expected in pairs:
        assert same(got, expected), (got, expected)
    assert elapsed < SERVER_TIMEOUT


def test_app_py_starts_offline_and_answers_within_25_s(tmp_path):
    """`python app.py` from an empty working folder: serves /tokenize on the default encoder in time,
    and writes nothing into the working folder."""
    port = free_port()
    env = dict(os.environ, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), HF_HUB_OFFLINE="1",
               GRADIO_EXAMPLES_CACHE=str(tmp_path.parent / f"{tmp_path.name}-examples"), PYTHONWARNINGS="ignore")
    start = time.time()
    process = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        from gradio_client import Client

        client = None
        while time.time() - start < 25 and client is None:
            assert process.poll() is None, f"app.py exited: {process.stderr.read()[-2000:]}"
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:
                time.sleep(0.5)
        assert client is not None, "app.py did not answer within 25 s"
        raw = client.predict("unaffable", "", "default", api_name="/tokenize")[3]
        elapsed = time.time() - start
        assert raw["tokens"] == ["[CLS]", "una", "##ffa", "##ble", "[SEP]"]
        assert elapsed < 25, f"first answer after {elapsed:.1f} s"
        assert list(tmp_path.iterdir()) == [], "app.py wrote into its working folder"
    finally:
        process.terminate()
        process.wait(10)


def test_mcp_server_lists_curated_tools_and_calls_one(app_url, tiny):
    """The MCP schema lists the public endpoints as tools with descriptions from their docstrings, and
    none of the page's private events; a tool call through the MCP protocol answers."""
    import asyncio

    import httpx

    schema = httpx.get(app_url + "gradio_api/mcp/schema", timeout=30).json()
    tools = {t["name"]: t for t in schema}
    assert set(tools) == {e.lstrip("/") for e in ENDPOINTS}  # one name per endpoint: MCP tool = API name
    assert not [n for n in tools if n.endswith("_page") or n in ("srl_predicates", "attention_shape", "finetune_cancel")]
    classify = tools["classify"]
    assert classify["description"].startswith("Classify one sentence with a fine-tuned BERT head")
    assert classify["inputSchema"]["properties"]["text"]["description"] == "the sentence to classify"
    assert all(t["description"] for t in tools.values())

    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def call():
        async with streamablehttp_client(app_url + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                listed = {t.name for t in (await session.list_tools()).tools}
                result = await session.call_tool("classify", {"text": "a charming film", "task": "sst2",
                                                              "model": tiny})
                return listed, result

    listed, result = asyncio.run(call())
    assert listed == set(tools) and not result.isError
    assert "positive" in " ".join(getattr(c, "text", "") for c in result.content)
