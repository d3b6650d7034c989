"""The zh_Hans catalog is complete and consistent, and pages come out in the requested language.

The catalog is read with a small PO reader (polib is not a dependency). ``make test`` runs compilemessages
first, so the compiled .mo next to the .po is checked as well, through ``gettext.GNUTranslations``.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# printf-style conversions as Python applies them: %(name)s, %(n)d, %(score).0f, %s, and the literal %%.
PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])")
BRACES = re.compile(r"\{[^{}]*\}")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def label(self) -> str:
        return f"{PO_FILE.name}:{self.line} {self.msgid!r}"


def _string(token: str) -> str:
    """The value of one quoted PO string; PO escapes are a subset of Python's."""
    return ast.literal_eval(token)


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    pending_flags: set[str] = set()
    pending_obsolete = False

    def start(line: int) -> Entry:
        nonlocal current, pending_flags, pending_obsolete
        current = Entry(line=line, flags=pending_flags, obsolete=pending_obsolete)
        entries.append(current)
        pending_flags, pending_obsolete = set(), False
        return current

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            pending_obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        elif line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if not line or line.startswith("#"):
            if not line:
                target = None
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            assert current is not None and target is not None, f"{path.name}:{number}: stray string"
            value = _string(line)
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += value
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                setattr(current, kind, (getattr(current, kind) or "") + value)
            continue
        value = _string(rest)
        if keyword == "msgctxt":
            start(number).msgctxt = value
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            entry = current if (current is not None and target == ("msgctxt", 0)) else start(number)
            entry.msgid = value
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            assert current is not None
            current.msgid_plural = value
            target = ("msgid_plural", 0)
        elif keyword == "msgstr":
            assert current is not None
            current.msgstr[0] = value
            target = ("msgstr", 0)
        elif (match := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            assert current is not None
            current.msgstr[int(match.group(1))] = value
            target = ("msgstr", int(match.group(1)))
        else:
            raise AssertionError(f"{path.name}:{number}: cannot parse {raw!r}")
    return entries


def placeholders(text: str, *, braces: bool) -> list[str]:
    """The substitutions of a string, sorted: named ones by name, unnamed ones by conversion."""
    found = [
        f"%({m['name']})" if m["name"] is not None else f"%{m['conv']}"
        for m in PRINTF.finditer(text)
        if m["conv"] != "%"
    ]
    if braces:
        found += BRACES.findall(text)
    return sorted(found)


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    assert PO_FILE.exists(), f"{PO_FILE} is missing; run makemessages -l zh_Hans"
    entries = read_po(PO_FILE)
    return [e for e in entries if not e.obsolete]


@pytest.fixture(scope="module")
def messages(catalog: list[Entry]) -> list[Entry]:
    return [e for e in catalog if e.msgid]


def test_the_header_declares_utf8_one_plural_form_and_is_not_fuzzy(catalog: list[Entry]) -> None:
    header = next(e for e in catalog if e.msgid == "" and e.msgctxt is None)
    assert "fuzzy" not in header.flags, "a fuzzy header is ignored by msgfmt"
    text = header.msgstr[0]
    assert "charset=UTF-8" in text
    assert re.search(r"Plural-Forms: nplurals=1; plural=0;", text)


def test_the_catalog_is_not_empty(messages: list[Entry]) -> None:
    assert len(messages) > 100


def test_every_message_has_a_translation(messages: list[Entry]) -> None:
    untranslated = [
        e.label for e in messages if not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"


def test_no_message_is_fuzzy(messages: list[Entry]) -> None:
    fuzzy = [e.label for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries are not compiled; check and unflag them: {fuzzy[:20]}"


def test_plural_messages_have_exactly_one_form(messages: list[Entry]) -> None:
    wrong = [e.label for e in messages if e.msgid_plural is not None and sorted(e.msgstr) != [0]]
    assert not wrong, f"Chinese has one plural form (msgstr[0] only): {wrong}"


def test_translations_keep_the_placeholders(messages: list[Entry]) -> None:
    mismatched = []
    for e in messages:
        braces = "python-brace-format" in e.flags
        # With one plural form, msgstr[0] serves every count, so it follows msgid_plural.
        source = e.msgid_plural if e.msgid_plural is not None else e.msgid
        expected = placeholders(source, braces=braces)
        for index, text in e.msgstr.items():
            got = placeholders(text, braces=braces)
            if got != expected:
                mismatched.append(f"{e.label} [{index}]: {expected} != {got}")
    assert not mismatched, "\n".join(mismatched)


def test_translations_apply_with_the_source_arguments(messages: list[Entry]) -> None:
    """A %(name)s placeholder cannot drift into %(name)d or a broken %: the format must still apply."""
    broken = []
    for e in messages:
        if "python-format" not in e.flags:
            continue
        source = e.msgid_plural if e.msgid_plural is not None else e.msgid
        conversions = [m for m in PRINTF.finditer(source) if m["conv"] != "%"]
        if any(m["name"] is None for m in conversions):
            continue  # positional placeholders: covered by the placeholder test
        names = {m["name"]: m["conv"] for m in conversions}
        sample = {
            name: (1.5 if conv in "eEfFgG" else 1 if conv in "diouxXc" else "x")
            for name, conv in names.items()
        }
        for text in e.msgstr.values():
            try:
                text % sample if names else text % ()
            except (KeyError, ValueError, TypeError) as error:
                broken.append(f"{e.label}: {error}")
    assert not broken, "\n".join(broken)


def test_the_compiled_catalog_matches_the_po(messages: list[Entry]) -> None:
    """``make test`` compiles first; a missing or stale .mo means compilemessages was not run."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing; run `make messages` (compilemessages)"
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("plural-forms", "").startswith("nplurals=1;")
    stale = []
    for e in messages:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            got = compiled._catalog.get(key)  # type: ignore[attr-defined]
            if got != e.msgstr[0]:
                stale.append(e.label)
        elif compiled._catalog.get((key, 0)) != e.msgstr.get(0):  # type: ignore[attr-defined]
            stale.append(e.label)
    assert not stale, f"the .mo differs from the .po; run compilemessages: {stale[:20]}"


def test_every_translatable_string_of_the_sources_is_in_the_catalog(tmp_path: Path) -> None:
    """makemessages over a copy of the sources finds nothing new: no string was added without its Chinese."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    for name in ("xinfang", "config", "locale"):
        shutil.copytree(
            root / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo")
        )
    shutil.copy(root / "manage.py", copy / "manage.py")
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-wrap"]
    subprocess.run(command, cwd=copy, check=True, capture_output=True, env=os.environ.copy())
    fresh = [e for e in read_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po") if e.msgid]
    missing = [
        e.msgid
        for e in fresh
        if not e.obsolete
        and ("fuzzy" in e.flags or not e.msgstr or any(not text.strip() for text in e.msgstr.values()))
    ]
    assert not missing, (
        f"{len(missing)} strings lack a translation; run `make catalog` and translate: {missing[:20]}"
    )


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_is_in_chinese_for_zh_hans() -> None:
    body = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/accounts/login/").content.decode()
    assert "<h1>登录</h1>" in body
    assert "Log in" not in body


@pytest.mark.django_db
def test_the_login_page_is_in_english_for_en() -> None:
    body = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert "<h1>Log in</h1>" in body


@pytest.mark.parametrize(
    ("language", "shown", "absent"), [("zh-hans", "工作台", "Workbench"), ("en", "Workbench", "工作台")]
)
def test_the_workbench_navigation_follows_the_language(
    client_for, language: str, shown: str, absent: str
) -> None:
    client = client_for("town")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    nav = body[body.index('<nav class="mainnav">') : body.index("</nav>")]
    assert f">{shown}</a>" in nav
    assert absent not in body
    if language == "zh-hans":
        assert "退出登录" in body
