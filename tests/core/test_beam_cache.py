"""`BeamCache` (translation's beam search) decodes the very tokens transformers' default cache does:
it skips the cross-attention reorder and defers the self-attention one, never changes a number."""
import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


@pytest.fixture(scope="module")
def bert2bert(tiny_bert):
    from transformers import AutoTokenizer, EncoderDecoderModel

    from bertkit.families.translation import configure

    torch.manual_seed(0)
    model = EncoderDecoderModel.from_encoder_decoder_pretrained(str(tiny_bert), str(tiny_bert))
    return configure(model, tiny_bert).eval(), AutoTokenizer.from_pretrained(str(tiny_bert))


@pytest.mark.parametrize("beams", [2, 4])
def test_beam_cache_decodes_the_same_tokens(bert2bert, beams):
    from bertkit.families.beam_cache import BeamCache

    model, tokenizer = bert2bert
    batch = tokenizer(["ein Mann fährt Rad.", "zwei Hunde spielen im Schnee neben einem roten Haus",
                       "ja"], return_tensors="pt", padding=True)
    batch.pop("token_type_ids")
    with torch.inference_mode():
        stock = model.generate(**batch, num_beams=beams, max_new_tokens=16)
        ours = model.generate(**batch, num_beams=beams, max_new_tokens=16, cache=BeamCache())
    assert stock.shape[1] > 3 and torch.equal(stock, ours)


def test_the_translation_predictor_uses_it_and_keeps_its_output(bert2bert, tiny_bert, monkeypatch):
    import bertkit
    from bertkit.families import beam_cache

    made = []
    original = beam_cache.BeamCache.__init__
    monkeypatch.setattr(beam_cache.BeamCache, "__init__", lambda self: (made.append(1), original(self))[1])
    torch.manual_seed(0)
    predictor = bertkit.load("translation", str(tiny_bert), cache=False, precision="fp32")
    out = predictor(["ein Mann fährt Rad.", "zwei Hunde"], num_beams=3, max_new_tokens=6)
    assert made and all(isinstance(o["text"], str) for o in out)
