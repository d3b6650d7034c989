"""Chinese text for the analytics: normalisation, word segmentation (jieba), shingles, place terms.

Everything here is deterministic and offline. jieba's own dictionary ships inside the package; a small
user dictionary of petition terms (``userdict.txt`` beside this file) is added once per process so that
terms such as 拖欠工资 or 棚户区改造 stay one token.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

SHINGLE_SIZE = 3
USER_DICTIONARY = Path(__file__).with_name("userdict.txt")

_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
# Words that name a place, an estate, an employer or a road: the "where" of a common issue.
PLACE_SUFFIXES = (
    "小区|花园|新城|新村|家园|苑|公寓|大厦|广场|名苑|华府|府|城|湾|园|村|社区|路|街|大道|巷|桥|"
    "小学|中学|学校|幼儿园|医院|公司|集团|工厂|厂|市场|商场|项目|工地|基地|合作社"
)
# Greedy within a clause: "南屏苑二期小区电梯" gives 南屏苑二期小区, the longest name before a suffix.
PLACE_TERM = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9]{{1,10}}(?:{PLACE_SUFFIXES}))")
# A term starting so names no particular place ("我们小区", "整个小区", "附近工地").
VAGUE_STARTS = (
    "我",
    "这",
    "那",
    "该",
    "本",
    "此",
    "贵",
    "整个",
    "全",
    "各",
    "其",
    "而",
    "有",
    "就",
    "都",
    "也",
    "还",
    "个",
    "所",
    "某",
    "附近",
    "周边",
    "旁边",
    "对面",
    "配套",
    "小区",
    "社区",
    "涉案",
)
# Clauses end at punctuation and at function characters, which never sit inside a place name (but
# 和 starts many: 和平村, 和平路).
# So do the verbs petitions put right before a place ("请求疏通铁三村", "规范望城花园物业收费").
CLAUSE_VERBS = (
    "请求|要求|反映|投诉|举报|咨询|建议|希望|关于|对于|督促|协调|规范|更换|疏通|修复|维修|改造|拖欠|"
    "支付|明确|查处|解决|收费|导致|造成|位于|地处|附近|旁边|周边|道路|路面|开展"
)
CLAUSE_BREAK = re.compile(
    rf"[^\u4e00-\u9fffA-Za-z0-9]+|[的在与了是到从向对把被给及或为让并]|和(?!平)|{CLAUSE_VERBS}"
)
LEADING_VERB = re.compile(r"^(?:建设|新建|修建|兴建)")
# Coded places of the shared data (A市, A7县, K9县 …) and the demo tree's own kinds of names.
CODED_PLACE = re.compile(r"[A-Z]\d{0,2}[市县区]")
CODED_PREFIX = re.compile(r"^(?:[A-Z]?\d{0,2}[市县区])+")
# Filler that says nothing about the matter; kept out of key terms.
_STOPWORD_TEXT = """的 了 和 是 在 我 我们 你 你们 他 他们 她 它 这 那 有 也 就 都 而 及 与 着 或
    一个 没有 什么 怎么 如何
    请问 您好 你好 尊敬 领导 谢谢 希望 要求 请求 反映 问题 情况 相关 部门 有关 进行 已经 目前 现在 一直
    因为 所以 但是 可以 能否 是否 不 没 很 还 又 再 对 把 被 让 给 从 到 向 为 于 以 等 中 上 下 里 后 前
    多 次 个 年 月 日 号 元 人 时 该 此 其 并 且 如 若 则 即 将 会 能 要 想 说 做 去 来 问 请 望 盼 予以
    尽快 及时 解决 处理 落实 回复 答复 关注 重视 调查 核实 市民 居民 群众 百姓 业主 本人 家 里面 这个 那个
    这些 那些 一些 很多 非常 特别 严重 存在 出现 导致 造成 影响 发生 来说 之后 之前 以来 期间 至今
    西地省 省 市 县 区"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_lock = threading.Lock()
_ready = False


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, and only letters, digits and CJK characters kept."""
    return _KEEP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """Character ``size``-grams of the normalised text (the whole text when it is shorter)."""
    plain = normalize(text)
    if len(plain) <= size:
        return {plain} if plain else set()
    return {plain[i : i + size] for i in range(len(plain) - size + 1)}


def jaccard(left: set[str], right: set[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def similarity(a: str, b: str) -> float:
    """How much two texts say the same thing: Jaccard similarity of their character 3-gram sets.

    It needs no segmentation, ignores punctuation, spacing and full-width forms, and is the quantity the
    MinHash index estimates, so the index's candidates and this precise re-score agree.
    """
    return jaccard(shingles(a), shingles(b))


def _jieba() -> Any:
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                if USER_DICTIONARY.exists():
                    jieba.load_userdict(str(USER_DICTIONARY))
                _ready = True
    return jieba


def words(text: str) -> list[str]:
    """jieba words of the normalised text (precise mode, dictionary only: the HMM guess of unknown words
    doubles the time, and the character n-grams of the model already cover words jieba does not know)."""
    return [w for w in _jieba().lcut(normalize(text), HMM=False) if w]


@lru_cache(maxsize=4096)
def _cached_words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def tokenize(text: str) -> list[str]:
    """The tokenizer of the routing model's word features (a module function, so models pickle)."""
    return list(_cached_words(text))


def content_words(text: str) -> list[str]:
    """Words that carry the matter: two characters or more, not filler, not a bare number."""
    return [w for w in _cached_words(text) if len(w) >= 2 and w not in STOPWORDS and not w.isdigit()]


def place_terms(text: str) -> list[str]:
    """Named places in a text: estates, villages, roads, schools, employers, and coded places (A7县)."""
    found: list[str] = []
    raw = unicodedata.normalize("NFKC", text or "")
    for match in CODED_PLACE.findall(raw):
        if match not in found:
            found.append(match)
    for clause in CLAUSE_BREAK.split(raw):
        for match in PLACE_TERM.findall(clause):
            coded = CODED_PREFIX.match(match)
            term = match[coded.end() :] if coded and len(match) - coded.end() >= 3 else match
            # 建设 is kept inside names (城南建设工程公司) and cut from the front ("建设望城路").
            term = LEADING_VERB.sub("", term)
            if len(term) >= 3 and term not in found and not term.startswith(VAGUE_STARTS):
                found.append(term)
    return found


def add_words(terms: Iterable[str]) -> None:
    """Teach the segmenter local names (units of the tree, estates) so they stay one word."""
    jieba = _jieba()
    for term in terms:
        if term and len(term) >= 2:
            jieba.add_word(term, freq=2000)
    _cached_words.cache_clear()
