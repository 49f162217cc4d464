"""Vietnamese text helpers: normalising, folding for search, and sort keys."""

import re
import unicodedata
from functools import lru_cache

from django.utils.functional import Promise

# The Vietnamese alphabet in dictionary order; letters outside it (f, j, w, z
# in foreign names) are slotted in where the Latin alphabet puts them.
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_RANK = {letter: i + 10 for i, letter in enumerate(_ALPHABET)}
# Tone marks, in the order dictionaries use: level, grave, hook, tilde, acute, dot.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a different letter (ă â ê ô ơ ư), kept when tones are removed.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}


def normalize(value: str | None) -> str:
    """NFC, single spaces, trimmed: what every stored name goes through."""
    if value is None:
        return ""
    # split() cuts at the characters \s matches, and drops them at both ends
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


class _FoldTable(dict):
    """For str.translate: every combining mark dropped, đ read as d, each
    character looked up once and remembered, so folding is one translate in
    C rather than a Python test per character (a roster folds 100,000 names)."""

    def __missing__(self, cp: int) -> str | None:
        char = chr(cp)
        self[cp] = value = None if unicodedata.combining(char) else char
        return value


_FOLD = _FoldTable({ord("đ"): "d"})


def fold(value: str | None) -> str:
    """Lower case without any diacritic: "Nguyễn Văn Đạt" -> "nguyen van dat"."""
    text = normalize(value).lower()
    if text.isascii():
        return text
    return unicodedata.normalize("NFD", text).translate(_FOLD)


def _letters(word: str) -> list[tuple[str, int]]:
    """Split a word into (letter with its vowel marks, tone) pairs."""
    out: list[tuple[str, int]] = []
    tone = 0
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch in _LETTER_MARKS and out:
            base, t = out[-1]
            out[-1] = (unicodedata.normalize("NFC", base + ch), t)
        elif not unicodedata.combining(ch):
            out.append((ch, 0))
    if out and tone:
        # one tone per syllable: attach it to the word as a whole
        out[-1] = (out[-1][0], tone)
    return out


def _word_key(word: str) -> str:
    """Letters as two digits each, "00" to end the word, then its tone."""
    letters = _letters(word)
    primary = "".join(
        f"{_RANK.get(letter, 99 if letter.isalpha() else 9):02d}" for letter, _ in letters
    )
    tone = max((t for _, t in letters), default=0)
    return f"{primary}00{tone}"


@lru_cache(maxsize=100_000)
def sort_key(full_name: str) -> str:
    """A digits-only key ordering people the Vietnamese way.

    Given name first (the last word), then the full name from the family name,
    letters in Vietnamese alphabet order (a < ă < â, d < đ), each word's tone
    breaking ties within the word (An < Án < Ăn). Digits only, so any database collation orders it the same.
    """
    words = normalize(full_name).split(" ")
    if not words or not words[0]:
        return ""
    return "".join(_word_key(w) for w in [words[-1], *words])[:250]


def given_name(full_name: str) -> str:
    words = normalize(full_name).split(" ")
    return words[-1] if words else ""


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(*parts: str | None) -> str:
    """A download name from Vietnamese words, keeping every letter without its
    marks (Đ -> d): slug("Báo cáo", "Đảng bộ phường Bình Phước", "2026") ->
    "bao-cao-dang-bo-phuong-binh-phuoc-2026"."""
    words = " ".join(p for p in parts if p)
    return _NOT_SLUG.sub("-", fold(words)).strip("-")


def plain(value):
    """Lazy translations as plain text, through dicts and lists, so a structure
    is JSON (a frozen report) or Jinja context (a .docx) as it is."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
