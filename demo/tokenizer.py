"""Tokenizer tab: how BERT cuts text into WordPiece tokens: pieces, ids, `##` continuations,
special tokens, segment ids (token_type_ids) and the attention mask."""
from __future__ import annotations

import gradio as gr

from .caches import load_tokenizer
from .common import DemoConfig, TabParts, model_selector, wire
from .errors import endpoint
from .policy import check_text

MODEL_LIMIT = 512  # BERT's position embeddings: no input of more tokens is read in one piece

COLORS = {"special": "#d1d5db", "word": "#93c5fd", "##continuation": "#fcd34d"}


def token_kind(token: str, special: set[str]) -> str:
    if token in special:
        return "special"
    return "##continuation" if token.startswith("##") else "word"


@endpoint
def tokenize(text: str, text_pair: str = "", model: str = "default"):
    """Show how BERT cuts text into WordPiece tokens: pieces, ids, ## continuations, special tokens,
    segment ids and the attention mask.

    Args:
        text: the text to tokenize
        text_pair: an optional second text (tokenized as segment B, as for sentence pairs)
        model: "default" (the embedded MiniLM encoder) or a hub id

    Returns:
        the pieces, one table row per token, a summary (warns past the model's length limit), the raw encoding
    """
    text = check_text(text)
    pair = check_text(text_pair, "second text") if text_pair and text_pair.strip() else None
    tok = load_tokenizer(model)
    limit = min(tok.model_max_length, MODEL_LIMIT)
    enc = tok(text, pair, return_offsets_mapping=True, return_token_type_ids=True)
    tokens = tok.convert_ids_to_tokens(enc["input_ids"])
    special = set(tok.all_special_tokens)
    kinds = [token_kind(t, special) for t in tokens]
    word_ids = enc.word_ids()
    raw = {"tokens": tokens, "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"],
           "attention_mask": enc["attention_mask"], "offsets": [list(o) for o in enc["offset_mapping"]],
           "word_ids": word_ids, "kinds": kinds}
    chips = []
    for token, kind in zip(tokens, kinds):
        chips += [(token, kind), (" ", None)]
    columns = zip(tokens, enc["input_ids"], kinds, enc["token_type_ids"], enc["attention_mask"], enc["offset_mapping"],
                  word_ids)
    table = [[i, t, n, k, s, m, f"{a}–{b}" if k != "special" else "", w if w is not None else ""]
             for i, (t, n, k, s, m, (a, b), w) in enumerate(columns)]
    n_words = len({(s, w) for s, w in zip(enc.sequence_ids(), word_ids) if w is not None})
    summary = (f"**{len(tokens)} tokens** for {n_words} words · {kinds.count('##continuation')} `##` continuations · "
               f"{kinds.count('special')} special tokens · {tokens.count(tok.unk_token)} `{tok.unk_token}` · "
               f"vocabulary {tok.vocab_size:,} · at most {limit} tokens per input")
    if len(tokens) > limit:
        summary += (f"\n\n⚠️ **{len(tokens):,} tokens: this model reads at most {limit:,}.** The classification, "
                    f"fill-mask and translation tabs refuse a longer input (shorten it); QA, entities and "
                    f"semantic roles read it in overlapping windows.")
    return chips, table, summary, raw


def build(config: DemoConfig) -> None:
    gr.Markdown("BERT never sees words: it sees WordPiece tokens from a fixed vocabulary. Rare words are cut "
                "into pieces (`##` marks a piece that continues a word); `[CLS]` starts every input, `[SEP]` "
                "ends each segment, and the segment id tells sentence A from sentence B.")
    with gr.Row():
        with gr.Column(scale=4):
            text = gr.Textbox(label="Text", value="The unaffable tokenizer splits rare words.", elem_id="tok_text",
                              info="Enter submits")
            text_pair = gr.Textbox(label="Second text (optional, for pairs)")
        model = model_selector(config)
    button = gr.Button("Tokenize", variant="primary", elem_id="tok_run")
    chips = gr.HighlightedText(label="Tokens", color_map=COLORS, show_legend=True, combine_adjacent=False)
    summary = gr.Markdown(elem_id="tok_summary")
    table = gr.Dataframe(headers=["position", "token", "id", "kind", "segment", "attention mask", "characters", "word"],
                         label="Tokens")
    with gr.Accordion("Raw encoding (JSON)", open=False):
        raw = gr.JSON()
    inputs, outputs = [text, text_pair, model], [chips, table, summary, raw]
    rows = [["unaffable", "", config.model], ["Tokenization of transformers isn't magic!", "", config.model],
            ["How old are you?", "I am 24 years old.", config.model]]
    wire(TabParts(tokenize, "tokenize", inputs, outputs, [button.click, text.submit, text_pair.submit], note=2,
         raw=3), config, rows)
