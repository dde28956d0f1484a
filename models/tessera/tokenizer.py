"""Word-level tokenizer over the canonical caption grammar, saved as a Hugging Face tokenizer.json.

Ids: [PAD] = 0, [UNK] = 1, [BOS] = 2, then the grammar's words. Encoding is [BOS] + words,
padded or truncated to max_length, exactly as the engine does (models/PACK_FORMAT.md).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import torch

from . import world

SPECIALS = ["[PAD]", "[UNK]", "[BOS]"]
PAD, UNK, BOS = 0, 1, 2


class WordTokenizer:
    def __init__(self, vocab: dict[str, int], max_length: int = 32):
        self.vocab = vocab
        self.max_length = max_length

    @classmethod
    def for_world(cls, max_length: int = 32) -> "WordTokenizer":
        words = SPECIALS + world.vocabulary()
        return cls({w: i for i, w in enumerate(words)}, max_length)

    def words(self, text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+|[^\sa-z0-9]", text.lower())

    def encode(self, text: str) -> tuple[list[int], list[int]]:
        ids = [BOS] + [self.vocab.get(w, UNK) for w in self.words(text)]
        ids = ids[: self.max_length]
        mask = [1] * len(ids) + [0] * (self.max_length - len(ids))
        return ids + [PAD] * (self.max_length - len(ids)), mask

    def batch(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        enc = [self.encode(t) for t in texts]
        return torch.tensor([e[0] for e in enc]), torch.tensor([e[1] for e in enc])

    def to_hf_json(self) -> dict:
        """A tokenizers-library WordLevel tokenizer.json (lower-case, whitespace + punctuation split)."""
        return {
            "version": "1.0",
            "truncation": {"direction": "Right", "max_length": self.max_length, "strategy": "LongestFirst", "stride": 0},
            "padding": {"strategy": {"Fixed": self.max_length}, "direction": "Right", "pad_to_multiple_of": None,
                        "pad_id": PAD, "pad_type_id": 0, "pad_token": "[PAD]"},
            "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                              "normalized": False, "special": True} for i, t in enumerate(SPECIALS)],
            "normalizer": {"type": "Lowercase"},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}]},
            "post_processor": {"type": "TemplateProcessing",
                               "single": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                               "pair": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                        {"Sequence": {"id": "B", "type_id": 1}}],
                               "special_tokens": {"[BOS]": {"id": "[BOS]", "ids": [BOS], "tokens": ["[BOS]"]}}},
            "decoder": None,
            "model": {"type": "WordLevel", "vocab": self.vocab, "unk_token": "[UNK]"},
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_hf_json(), indent=1))

    @classmethod
    def load(cls, path: Path, max_length: int = 32) -> "WordTokenizer":
        blob = json.loads(Path(path).read_text())
        return cls(blob["model"]["vocab"], max_length)
