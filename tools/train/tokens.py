"""The word-level tokenizer both demo models share, and the Hugging Face tokenizer files that describe it.

Python encodes captions here for training; the extension reads tokenizer.json with @huggingface/tokenizers.
Both must agree: lower-case, split on whitespace, unknown words to <unk>, start and end tokens around.
"""
import json
import os

from shapes_world import VOCABULARY

BOS, EOS, PAD, UNK = "<|startoftext|>", "<|endoftext|>", "<|pad|>", "<unk>"
SPECIALS = (BOS, EOS, PAD, UNK)
VOCAB = {t: i for i, t in enumerate(SPECIALS + VOCABULARY)}
BOS_ID, EOS_ID, PAD_ID, UNK_ID = (VOCAB[t] for t in SPECIALS)


def encode(caption: str) -> list:
    """Token ids with start and end tokens, as tokenizer.json's pipeline produces them."""
    return [BOS_ID] + [VOCAB.get(w, UNK_ID) for w in caption.lower().split()] + [EOS_ID]


def pad(ids: list, length: int) -> list:
    """Right-pads (or truncates, keeping the end token last) to `length` with the pad id."""
    if len(ids) > length:
        ids = ids[: length - 1] + [EOS_ID]
    return ids + [PAD_ID] * (length - len(ids))


def _special(token: str) -> dict:
    return {"id": VOCAB[token], "content": token, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json() -> dict:
    """tokenizer.json: WordLevel model, NFKC + Lowercase + Strip, WhitespaceSplit, CLIP's start/end template."""
    seq = lambda name: {"Sequence": {"id": name, "type_id": 0}}  # noqa: E731
    tok = lambda t: {"SpecialToken": {"id": t, "type_id": 0}}  # noqa: E731
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_special(t) for t in SPECIALS],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFKC"}, {"type": "Lowercase"}, {"type": "Strip", "strip_left": True, "strip_right": True}]},
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [tok(BOS), seq("A"), tok(EOS)],
            "pair": [tok(BOS), seq("A"), tok(EOS), seq("B"), tok(EOS)],
            "special_tokens": {t: {"id": t, "ids": [VOCAB[t]], "tokens": [t]} for t in (BOS, EOS)},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": False},
        "model": {"type": "WordLevel", "vocab": VOCAB, "unk_token": UNK},
    }


def write_tokenizer_files(folder: str, max_length: int) -> None:
    """Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into `folder`."""
    specials = {"bos_token": BOS, "eos_token": EOS, "pad_token": PAD, "unk_token": UNK}
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": max_length, "do_lower_case": True,
              "clean_up_tokenization_spaces": False, **specials}
    for name, content in (("tokenizer.json", tokenizer_json()), ("tokenizer_config.json", config),
                          ("special_tokens_map.json", specials)):
        with open(os.path.join(folder, name), "w") as f:
            json.dump(content, f, indent=2)
            f.write("\n")
