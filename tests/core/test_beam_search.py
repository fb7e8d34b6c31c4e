"""bertkit's decoding loop (beam_search.py) picks the very tokens transformers' `generate()` does:
greedy and beam search, with the default and a short max_new_tokens, on a tiny random bert2bert
(end tokens made likely so sentences finish at different steps and leave the batch) and on the shipped
translation head over Multi30k dev sentences."""
import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

SOURCES = ["ein Mann fährt Rad.", "zwei Hunde spielen im Schnee neben einem roten Haus", "ja",
           "Eine Frau mit einem großen Hut liest ein Buch im Park, während Kinder spielen.", "Kinder"]


def generated(model, batch, beams, max_new_tokens):
    """generate()'s rows as bertkit returns them: the start token off, the end-token padding off."""
    from bertkit.families.beam_search import strip

    out = model.generate(**batch, num_beams=beams, max_new_tokens=max_new_tokens)
    return [strip(row[1:], model.generation_config.eos_token_id) for row in out.tolist()]


@pytest.fixture(scope="module", params=[0.0, 3.0, 6.0], ids=["rare-end", "some-end", "early-end"])
def bert2bert(tiny_bert, request):
    from transformers import AutoTokenizer, EncoderDecoderModel

    from bertkit.families.translation import configure

    torch.manual_seed(0)
    model = configure(EncoderDecoderModel.from_encoder_decoder_pretrained(str(tiny_bert), str(tiny_bert)), tiny_bert)
    with torch.no_grad():  # a random model rarely says "end": raise the end token's logit so some rows stop early
        model.decoder.cls.predictions.decoder.bias[model.generation_config.eos_token_id] += request.param
    return model.eval(), AutoTokenizer.from_pretrained(str(tiny_bert))


@pytest.mark.parametrize("beams", [1, 2, 4])
@pytest.mark.parametrize("max_new_tokens", [5, 40])
def test_own_loop_equals_generate_on_a_tiny_bert2bert(bert2bert, beams, max_new_tokens):
    from bertkit.families.beam_search import beam_search

    model, tokenizer = bert2bert
    batch = tokenizer(SOURCES, return_tensors="pt", padding=True)
    batch.pop("token_type_ids")
    with torch.inference_mode():
        stock = generated(model, batch, beams, max_new_tokens)
        ours = beam_search(model, batch["input_ids"], batch["attention_mask"], beams, max_new_tokens)
    assert ours == stock
    assert all(1 <= len(row) <= max_new_tokens for row in ours)


def test_unsupported_generation_options_are_refused(bert2bert):
    from bertkit.families.beam_search import beam_search

    model, tokenizer = bert2bert
    batch = tokenizer(SOURCES[:1], return_tensors="pt")
    model.generation_config.no_repeat_ngram_size = 3
    try:
        with pytest.raises(ValueError, match="no_repeat_ngram_size"):
            beam_search(model, batch["input_ids"], batch["attention_mask"], 4, 5)
    finally:
        model.generation_config.no_repeat_ngram_size = 0


@pytest.mark.parametrize("beams,max_new_tokens", [(4, None), (4, 6), (1, None)])
def test_own_loop_equals_generate_on_the_shipped_head(beams, max_new_tokens):
    import bertkit
    from bertkit.families.beam_search import beam_search

    task = bertkit.get_task("translation")
    predictor = bertkit.load("translation", precision="fp32", cache=False)
    sources = list(task.load("dev")["source"][:12])
    batch = predictor.tokenizer(sources, return_tensors="pt", padding=True)
    batch.pop("token_type_ids", None)
    limit = max_new_tokens or int(batch["input_ids"].shape[1] * 1.5 + 10)
    with torch.inference_mode():
        stock = generated(predictor.model, batch, beams, limit)
        ours = beam_search(predictor.model, batch["input_ids"], batch["attention_mask"], beams, limit)
    assert ours == stock
    assert all(t["text"] for t in predictor(sources[:2], num_beams=beams, max_new_tokens=max_new_tokens))
