"""Tiny random stand-ins of every BERT-family architecture bertkit serves, built offline.

Each stand-in is a 2-layer, hidden-32 model of that architecture with its own head class
(`AutoModelForX.from_config`, saved with `save_pretrained`) and its own kind of tokenizer, as hub
checkpoints ship them: WordPiece for BERT/DistilBERT/ELECTRA/MPNet (MPNet with `<s>`/`<mask>`),
byte-level BPE (`Ġ`) for RoBERTa (`<mask>`) and ModernBERT (`[MASK]`), sentencepiece-style Unigram
(`▁`) for ALBERT and DeBERTa-v3. The BPE and Unigram vocabularies are trained here on the embedded
WordPiece vocabulary's whole words (cased and not), so every tokenizer covers ordinary English.
Classification and tagging stand-ins carry the task's own label names in `id2label`.
"""
from __future__ import annotations

import functools
from pathlib import Path

ARCHS = ("bert", "distilbert", "roberta", "albert", "electra", "deberta-v2", "modernbert", "mpnet")
HIDDEN, LAYERS, HEADS, FFN = 32, 2, 2, 64
SUBWORD_VOCAB = 3000  # trained BPE / Unigram vocabularies

HEAD_CLASSES = {"mlm": "AutoModelForMaskedLM", "classification": "AutoModelForSequenceClassification",
                "tagging": "AutoModelForTokenClassification", "qa": "AutoModelForQuestionAnswering",
                "encoder": "AutoModel"}


@functools.cache
def _wordpiece_vocab() -> tuple[str, ...]:
    from bertkit.models import embedded_encoder_path
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(embedded_encoder_path()))
    vocab = tok.get_vocab()
    return tuple(sorted(vocab, key=vocab.get))


@functools.cache
def _corpus() -> tuple[str, ...]:
    """Lines of whole words from the WordPiece vocabulary (roughly in frequency order: the first
    words repeated), lower-case and capitalised, with punctuation."""
    words = [w for w in _wordpiece_vocab() if w.isalpha() and w.isascii() and not w.startswith("[")]
    words = words[:400] * 3 + words[:6000] + [w.capitalize() for w in words[:2000]]
    lines = [" ".join(words[i:i + 20]) + " , . ? ! ' \" ( ) - : ;" for i in range(0, len(words), 20)]
    return tuple(lines + ["0 1 2 3 4 5 6 7 8 9 10 44 2020 %"])


PLACEHOLDERS = tuple(f"<special{i}>" for i in range(5))  # renamed to each architecture's special tokens


@functools.cache
def _bpe() -> tuple[dict, list]:
    """A byte-level BPE (no prefix space, as RoBERTa and ModernBERT ship it): (vocab, merges)."""
    import json

    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=SUBWORD_VOCAB, special_tokens=list(PLACEHOLDERS), show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(_corpus(), trainer)
    state = json.loads(tok.to_str())["model"]
    return state["vocab"], [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]


@functools.cache
def _unigram() -> list:
    """A cased sentencepiece-style Unigram vocabulary (`▁` marks a word start): [(piece, score)]."""
    import json

    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=SUBWORD_VOCAB, special_tokens=list(PLACEHOLDERS), show_progress=False,
                                      unk_token=PLACEHOLDERS[1])
    tok.train_from_iterator(_corpus(), trainer)
    return [tuple(p) for p in json.loads(tok.to_str())["model"]["vocab"]]


def _renamed_bpe(specials):
    vocab, merges = _bpe()
    names = dict(zip(PLACEHOLDERS, specials))
    return {names.get(t, t): i for t, i in vocab.items()}, list(merges)


def _renamed_unigram(specials):
    names = dict(zip(PLACEHOLDERS, specials))
    return [(names.get(p, p), score) for p, score in _unigram()]


def build_tokenizer(arch: str):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import (AlbertTokenizer, BertTokenizer, DebertaV2Tokenizer, DistilBertTokenizer,
                              MPNetTokenizer, PreTrainedTokenizerFast, RobertaTokenizer)

    wordpiece = {w: i for i, w in enumerate(_wordpiece_vocab())}
    if arch in ("bert", "electra"):
        return BertTokenizer(vocab=wordpiece, do_lower_case=True)
    if arch == "distilbert":
        return DistilBertTokenizer(vocab=wordpiece, do_lower_case=True)
    if arch == "mpnet":  # all-mpnet-base-v2's layout: <s> <pad> </s> <unk>, BERT's vocabulary, <mask> last
        vocab = {t: i for i, t in enumerate(("<s>", "<pad>", "</s>", "<unk>"))}
        vocab.update({w: i + 4 for w, i in wordpiece.items()})
        vocab["<mask>"] = len(vocab)
        return MPNetTokenizer(vocab=vocab, do_lower_case=True)
    if arch == "roberta":
        vocab, merges = _renamed_bpe(("<s>", "<pad>", "</s>", "<unk>", "<mask>"))
        return RobertaTokenizer(vocab=vocab, merges=merges, mask_token=AddedToken("<mask>", lstrip=True, special=True))
    if arch == "modernbert":  # a PreTrainedTokenizerFast over byte-level BPE with BERT-style specials
        specials = ("[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]")
        vocab, merges = _renamed_bpe(specials)
        tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        tok.add_special_tokens([AddedToken(t, special=True, lstrip=t == "[MASK]") for t in specials])
        cls, sep = ("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=True),
            processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
                                          special_tokens=[cls, sep])])
        return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]",
                                       pad_token="[PAD]", mask_token=AddedToken("[MASK]", lstrip=True),
                                       model_input_names=["input_ids", "attention_mask"], model_max_length=512)
    if arch == "albert":
        return AlbertTokenizer(vocab=_renamed_unigram(("<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]")), unk_id=1)
    if arch == "deberta-v2":
        return DebertaV2Tokenizer(vocab=_renamed_unigram(("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")), unk_id=1)
    raise KeyError(f"unknown architecture {arch!r}; known: {', '.join(ARCHS)}")


def build_config(arch: str, tok, **extra):
    import transformers as t

    ids = {"pad_token_id": tok.pad_token_id}
    common = dict(num_hidden_layers=LAYERS, num_attention_heads=HEADS, intermediate_size=FFN, hidden_size=HIDDEN)
    size = len(tok)
    if arch == "bert":
        return t.BertConfig(vocab_size=size, **common, **ids, **extra)
    if arch == "distilbert":
        return t.DistilBertConfig(vocab_size=size, dim=HIDDEN, n_layers=LAYERS, n_heads=HEADS, hidden_dim=FFN,
                                  **ids, **extra)
    if arch == "roberta":
        return t.RobertaConfig(vocab_size=size, max_position_embeddings=514, type_vocab_size=1,
                               bos_token_id=tok.cls_token_id, eos_token_id=tok.sep_token_id, **common, **ids, **extra)
    if arch == "albert":
        return t.AlbertConfig(vocab_size=size, embedding_size=16, **common, **ids, **extra)
    if arch == "electra":
        return t.ElectraConfig(vocab_size=size, embedding_size=HIDDEN, **common, **ids, **extra)
    if arch == "deberta-v2":  # DeBERTa-v3's layout: relative positions only, no segment embeddings
        return t.DebertaV2Config(vocab_size=size, type_vocab_size=0, relative_attention=True, position_buckets=64,
                                 pos_att_type=["p2c", "c2p"], position_biased_input=False, max_relative_positions=-1,
                                 norm_rel_ebd="layer_norm", share_att_key=True, **common, **ids, **extra)
    if arch == "modernbert":
        return t.ModernBertConfig(vocab_size=size, global_attn_every_n_layers=2, local_attention=16,
                                  cls_token_id=tok.cls_token_id, sep_token_id=tok.sep_token_id,
                                  bos_token_id=tok.cls_token_id, eos_token_id=tok.sep_token_id,
                                  **common, **ids, **extra)
    if arch == "mpnet":
        return t.MPNetConfig(vocab_size=size, max_position_embeddings=514, bos_token_id=tok.cls_token_id,
                             eos_token_id=tok.sep_token_id, **common, **ids, **extra)
    raise KeyError(arch)


@functools.cache
def tokenizer_for(arch: str):
    return build_tokenizer(arch)


def build_model(arch: str, head: str, folder: Path, labels=(), num_labels=None, seed=0) -> Path:
    """Save a tiny `arch` model with `head` ('mlm'|'classification'|'tagging'|'qa'|'encoder') into `folder`."""
    import torch
    import transformers

    tok = tokenizer_for(arch)
    extra = {}
    if labels:
        extra = {"id2label": dict(enumerate(labels)), "label2id": {n: i for i, n in enumerate(labels)}}
    elif num_labels:
        extra = {"num_labels": num_labels}
    config = build_config(arch, tok, **extra)
    torch.manual_seed(seed)
    model = getattr(transformers, HEAD_CLASSES[head]).from_config(config)
    with torch.no_grad():  # random weights of a larger spread: scores far from uniform test more
        for name, param in model.named_parameters():
            if param.ndim == 2 and "embeddings" not in name:
                param.normal_(0.0, 0.2)
    folder = Path(folder)
    model.save_pretrained(str(folder))
    tok.save_pretrained(str(folder))
    return folder
