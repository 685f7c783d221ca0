"""Text analysis for the knowledge-base search: normalisation, jieba words, bigrams, pinyin.

Three kinds of terms come out of a text, each in its own namespace so they keep separate statistics:
words (jieba), character bigrams (two CJK characters: they match across segmentation differences
and survive a one-character typo), and pinyin bigrams (two toneless syllables: a homophone typo such
as 公基金 for 公积金 still matches). The index keeps each kind in its own vocabulary.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import filterfalse

import rjieba
from pypinyin import Style, lazy_pinyin

from hotline.knowledge import lexicon

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]{{2,}}")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_PAIR = re.compile(f"(?=([{_CJK}]{{2}}))")  # every overlapping pair, in one pass of the regex engine
# One character in, one character out, so positions in normalised text are positions in the original.
_FOLD_ALNUM = [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]  # full-width
_FOLD_SPACE = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0x3000]
_FOLD_SPACE += [*range(0x200B, 0x2010), 0xFEFF, *range(0xD800, 0xE000)]  # zero-width; lone surrogates
_FOLD = {cp: cp - 0xFEE0 for cp in _FOLD_ALNUM} | dict.fromkeys(_FOLD_SPACE, 0x20)
_NEEDS_FOLD = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD)) + "]")


def normalize(text: str) -> str:
    """Full-width letters and digits to ASCII, lower case, control and zero-width characters to spaces."""
    if _NEEDS_FOLD.search(text):  # rare, and translate() is slow: look first
        text = text.translate(_FOLD)
    return text.lower()


@lru_cache(maxsize=65536)
def char_pinyin(ch: str) -> str:
    """The toneless pinyin of one character (its most common reading), or "" when it has none."""
    if not _CJK_CHAR.match(ch):
        return ""
    syllables = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return syllables[0] if syllables else ""


def bigrams(text: str) -> list[str]:
    """Overlapping bigrams of CJK characters (any other character breaks the sequence)."""
    return _CJK_PAIR.findall(text)


def pinyin_bigrams(text: str) -> list[str]:
    """Overlapping bigrams of the toneless syllables of CJK characters ("gong ji")."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        syl = [char_pinyin(ch) for ch in run]
        out.extend(f"{syl[i]} {syl[i + 1]}" for i in range(len(syl) - 1))
    return out


@dataclass(frozen=True)
class Analyzed:
    """One text after analysis: its words, and its tokens joined again without stopwords (for bigrams)."""

    words: list[str]
    text: str


class Analyzer:
    """jieba segmentation with the government-terms dictionary, stopwords and synonyms."""

    def __init__(
        self,
        *,
        user_words: Iterable[str] | None = None,
        synonyms: dict[str, tuple[str, ...]] | None = None,
        stopwords: frozenset[str] = lexicon.STOPWORDS,
        question_words: frozenset[str] = lexicon.QUESTION_WORDS,
    ) -> None:
        self._jieba = rjieba.Jieba()
        # rjieba's tokenizer is not documented as thread-safe; one lock keeps Django's threaded
        # servers correct and costs nothing in the single-threaded bulk path.
        self._lock = threading.Lock()
        for word in lexicon.user_words() if user_words is None else user_words:
            self._jieba.add_word(normalize(word), None, None)
        self.synonyms = lexicon.synonym_map() if synonyms is None else synonyms
        self.stopwords = stopwords
        self.query_stopwords = stopwords | question_words

    def cut(self, text: str) -> list[str]:
        """jieba tokens (precise mode, HMM for unknown words) of normalised text."""
        with self._lock:
            return self._jieba.cut(text, True)

    def analyze(self, text: str, *, query: bool = False) -> Analyzed:
        """Words of `text` without stopwords; queries also lose their question words."""
        stop = self.query_stopwords if query else self.stopwords
        tokens = list(filterfalse(stop.__contains__, self.cut(normalize(text))))
        # Punctuation and spaces stay and break bigrams; a dropped stopword does not: "食堂的就餐"
        # gives the bigram 堂就, like a query that leaves the 的 out.
        return Analyzed(words=list(filter(str.isalnum, tokens)), text="".join(tokens))

    def expand(self, word: str) -> tuple[str, ...]:
        """The synonyms of a query word (normalised), without the word itself."""
        return self.synonyms.get(word, ())


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """One shared analyzer per process (loading the dictionary takes about half a second)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer()
        return _default
