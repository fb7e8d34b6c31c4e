"""Translation with a BERT encoder-decoder (bert2bert, Rothe et al. 2020): encoder and decoder both
start from a BERT checkpoint, the decoder's cross-attention is new. Output: {"text": translation}.
Options: `num_beams` (default 4), `max_new_tokens` (default 1.5 × source length + 10).
An uncased decoder's output is detokenised and truecased (bertkit/recase.py) with the casing table its
training targets gave (bertkit.json "truecase").
"""
from __future__ import annotations

from .base import PAD_MULTIPLE, Family, Option, check_length, clean_text, load_metric

DEFAULT_BEAMS = 4


class Translation(Family):
    auto_class = "EncoderDecoderModel"
    head_modules = ("crossattention", "cls.predictions")  # both new: the base has no LM head
    options = {"num_beams": Option(int, DEFAULT_BEAMS, low=1, high=32, help="beam search width (1: greedy)"),
               "max_new_tokens": Option(int, None, low=1, high=1024, help="default: 1.5 x source length + 10")}
    input_fields = ("text",)
    output_keys = ("text",)
    cpu_token_budget = False  # decoding, not the encoder, is the cost: 64 sentences a batch measured fastest

    def build_model(self, task, path, allow_pickle=False):
        from transformers import EncoderDecoderModel

        from ..errors import ModelError
        from ..loading import load_config

        config = load_config(path)
        safe = None if allow_pickle else True
        if config.model_type != "encoder-decoder":
            check_can_decode(config.model_type, path)
        try:
            if config.model_type == "encoder-decoder":
                return EncoderDecoderModel.from_pretrained(str(path), use_safetensors=safe), False
            model = EncoderDecoderModel.from_encoder_decoder_pretrained(
                str(path), str(path), encoder_use_safetensors=safe, decoder_use_safetensors=safe)
        except Exception as e:  # an encoder that cannot be a decoder, a corrupt file: never a raw traceback
            raise ModelError(f"cannot build a {config.model_type} encoder-decoder from {path} for {task.name}: "
                             f"{type(e).__name__}: {str(e)[:300]}") from None
        return configure(model, path), True

    def check_input(self, task, item):
        if isinstance(item, dict):
            item = item.get("text", item.get("source"))
        return {"text": clean_text(item)}

    def preprocess(self, ctx, items, **_):
        enc = ctx.tokenizer([x["text"] for x in items])
        features = []
        for i, ids in enumerate(enc["input_ids"]):
            check_length(len(ids), ctx.max_length)
            features.append({"item": i, "input_ids": ids, "attention_mask": [1] * len(ids)})
        return features

    def forward(self, ctx, model, batch, meta, num_beams=DEFAULT_BEAMS, max_new_tokens=None):
        batch.pop("token_type_ids", None)
        longest = batch["input_ids"].shape[1]
        max_new_tokens = int(max_new_tokens or longest * 1.5 + 10)
        if getattr(model.config, "model_type", None) == "encoder-decoder":
            from .beam_search import beam_search

            # bertkit's own loop: generate()'s tokens, finished sentences leave the batch (beam_search.py)
            out = beam_search(model, batch["input_ids"], batch["attention_mask"], num_beams, max_new_tokens)
        else:
            out = model.generate(**batch, num_beams=num_beams, max_new_tokens=max_new_tokens)
        return ctx.tokenizer.batch_decode(out, skip_special_tokens=True)

    def postprocess(self, ctx, items, features, outputs, **_):
        from ..recase import detokenize, recase

        table = ctx.meta.get("truecase")
        texts = [detokenize(text) for text in outputs]
        return [{"text": recase(text, table) if table is not None else text} for text in texts]

    # ---- training and scoring ------------------------------------------------------------------
    def to_inputs(self, task, dataset):
        return list(dataset["source"])

    def train_features(self, task, tokenizer, dataset, max_length):
        def encode(batch):
            enc = tokenizer(batch["source"], truncation=True, max_length=max_length)
            enc["labels"] = tokenizer(batch["target"], truncation=True, max_length=max_length)["input_ids"]
            enc.pop("token_type_ids", None)
            return enc

        return dataset.map(encode, batched=True, remove_columns=dataset.column_names)

    def train_meta(self, task, tokenizer, dataset):
        from ..recase import build_table

        lowercases = tokenizer.decode(tokenizer("Ab", add_special_tokens=False)["input_ids"]) == "ab"
        return {"truecase": build_table(dataset["target"])} if lowercases else {}

    def collator(self, task, tokenizer):
        from transformers import DataCollatorForSeq2Seq

        return DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100, pad_to_multiple_of=PAD_MULTIPLE)

    def required_columns(self, task):
        return ("source", "target")

    def predictions(self, task, outputs, dataset):
        return [o["text"] for o in outputs]

    def references(self, task, dataset):
        return [[t] for t in dataset["target"]]

    def score(self, task, outputs, dataset):
        from ..metrics import load_metric as load

        preds, refs = self.predictions(task, outputs, dataset), self.references(task, dataset)
        bleu = load_metric(task).compute(predictions=preds, references=refs)
        chrf = load("chrf").compute(predictions=preds, references=refs)
        return {"bleu": float(bleu["score"]), "chrf": float(chrf["score"])}


def check_can_decode(model_type, path) -> None:
    """bert2bert starts its decoder from the same checkpoint: the architecture needs a causal-LM class
    with cross-attention (BERT, RoBERTa, ELECTRA have one; DistilBERT, ALBERT, DeBERTa, ModernBERT and
    MPNet do not)."""
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES as DECODERS

    from ..errors import ModelError

    if model_type not in DECODERS:
        able = ", ".join(t for t in ("bert", "roberta", "electra", "xlm-roberta", "camembert") if t in DECODERS)
        raise ModelError(f"translation (bert2bert) cannot use {path}: its architecture {model_type!r} has no decoder "
                         f"form (a causal LM with cross-attention) in transformers. Start from a {able} checkpoint, "
                         "or pass a folder that already holds an encoder-decoder model.")


def configure(model, path):
    """Token ids generation needs: BERT's [CLS] starts the target, [SEP] ends it."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    for config in (model.config, model.generation_config):
        config.decoder_start_token_id = tok.cls_token_id
        config.bos_token_id = tok.cls_token_id
        config.eos_token_id = tok.sep_token_id
        config.pad_token_id = tok.pad_token_id
    model.config.vocab_size = model.config.encoder.vocab_size
    return model
