"""The English catalog: complete, up to date with the code, compiled, and actually shown.

The catalog (`locale/en/LC_MESSAGES/django.po`) is checked against the code in two ways:

- `test_catalog_has_every_string_marked_in_the_code` always runs and needs no GNU gettext
  (CI machines may not have it, see `docs/decisions/0006`). It extracts the marked strings the
  way `makemessages` does: templates (`.html`, `.txt`) go through Django's own `templatize()`,
  which turns `{% translate %}`, `{% blocktranslate %}` (variables become `%(name)s`, plurals
  and contexts included) and `_("…")` filter arguments into gettext calls; those and the
  `.py` sources are then read with Python's tokenizer for the keywords `makemessages` gives
  xgettext (`_`, `gettext`, `gettext_lazy`, `ngettext`, `pgettext`, …). Every extracted
  (context, msgid, plural) must be in the catalog, and the catalog must hold nothing else, so
  adding a string and forgetting `makemessages` fails, and so does a stale entry.
- `test_makemessages_finds_nothing_new` runs the real `makemessages -l en` (when xgettext is
  installed) on a copy of the sources in a temporary directory and compares its msgids with
  the committed catalog: the ground truth, which also keeps the extractor above honest.

To update the catalog after changing strings:

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules \\
        --ignore=staticfiles --ignore=bench --no-obsolete

then translate the new entries (no empty msgstr, no fuzzy flag).

The module compiles the catalogs first (`compile_all()`), so it does not depend on `make
messages` having run.
"""

from __future__ import annotations

import ast
import fcntl
import fnmatch
import gettext
import io
import os
import re
import shutil
import tokenize
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test.signals import language_changed
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from crm.core.compile_messages import ROOT, compile_all

CATALOG = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

# What `makemessages` is run with (see the module docstring), plus its own defaults.
IGNORE_PATTERNS = [".venv", "node_modules", "staticfiles", "bench"]
DEFAULT_IGNORE_PATTERNS = ["CVS", ".*", "*~", "*.pyc"]
EXTENSIONS = (".py", ".html", ".txt")

# Keyword → the meaning of its leading string arguments: s = msgid, p = plural, c = context.
# The same keywords `makemessages` passes to xgettext (and xgettext's Python defaults).
KEYWORDS = {
    "_": "s",
    "gettext": "s",
    "gettext_lazy": "s",
    "gettext_noop": "s",
    "ngettext": "sp",
    "ngettext_lazy": "sp",
    "pgettext": "cs",
    "pgettext_lazy": "cs",
    "npgettext": "csp",
    "npgettext_lazy": "csp",
}

CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё]+")
# Select options may list reference data kept in the database (lead sources, industries…),
# which is stored in Russian and is not part of the catalog.
OPTION = re.compile(r"<option\b[^>]*>.*?</option>", re.DOTALL)
# The brand mark in the layouts is the letter «С» of «Свод»: a logo, not text.
LOGO_LETTER = "С"

Key = tuple[str | None, str, str | None]  # (msgctxt, msgid, msgid_plural)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """Compile the `.po` files, as `make messages` would; safe under pytest-xdist."""
    locale_dir = os.open(ROOT / "locale", os.O_RDONLY)
    try:
        fcntl.flock(locale_dir, fcntl.LOCK_EX)  # one worker writes a .mo at a time
        compiled = compile_all()
    finally:
        os.close(locale_dir)  # releases the lock
    if compiled:
        # A test that ran earlier in this process may have loaded the old (or no) catalog;
        # drop Django's and the gettext module's caches, as Django does when LOCALE_PATHS
        # changes in a test.
        gettext._translations.clear()
        language_changed(setting="LOCALE_PATHS")


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """The middleware activates an English user's language in the test's thread and nothing
    deactivates it; put the previous language back so later tests are not run in English."""
    language = translation.get_language()
    yield
    translation.activate(language)


def _catalog_keys(po: polib.POFile) -> set[Key]:
    return {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in po if not e.obsolete}


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, p) for p in IGNORE_PATTERNS + DEFAULT_IGNORE_PATTERNS)


def _source_files(root: Path) -> Iterator[Path]:
    """The files `makemessages` reads for the "django" domain."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        for name in sorted(filenames):
            if name.endswith(EXTENSIONS) and not _ignored(name):
                yield Path(dirpath) / name


def _gettext_calls(code: str) -> Iterator[Key]:
    """(context, msgid, plural) of each gettext call with string-literal arguments."""
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in skip]
    for i, token in enumerate(tokens[:-1]):
        spec = KEYWORDS.get(token.string) if token.type == tokenize.NAME else None
        if spec is None or tokens[i + 1].string != "(":
            continue
        arguments: list[str] = []
        pieces: list[str] = []  # adjacent literals are concatenated
        for argument_token in tokens[i + 2 :]:
            if argument_token.type == tokenize.STRING:
                pieces.append(argument_token.string)
            elif argument_token.string in {",", ")"} and pieces:
                arguments.append("".join(ast.literal_eval(p) for p in pieces))
                pieces = []
                if argument_token.string == ")":
                    break
            else:
                break  # a non-literal argument: nothing more to extract
        if len(arguments) < len(spec):
            continue
        values = dict(zip(spec, arguments, strict=False))
        yield values.get("c"), values["s"], values.get("p")


def extract_messages(root: Path) -> dict[Key, str]:
    """Every string marked for translation under `root` → the first file that marks it."""
    found: dict[Key, str] = {}
    for path in _source_files(root):
        code = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            # templatize() keeps the template's layout, so its lines may be indented in ways
            # the tokenizer rejects; the calls never span lines, so dedent every line.
            code = "\n".join(
                line.lstrip() for line in templatize(code, origin=str(path)).splitlines()
            )
        for key in _gettext_calls(code):
            found.setdefault(key, str(path.relative_to(root)))
    return found


def _english_page(client, user, path: str = "/") -> str:
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


# The catalog itself


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(CATALOG))
    assert len(po) > 0
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    empty_plural_forms = [
        e.msgid for e in po if e.msgid_plural and not all(e.msgstr_plural.values())
    ]
    assert untranslated == []
    assert fuzzy == []
    assert empty_plural_forms == []
    assert po.percent_translated() == 100


def test_catalog_header_is_english_with_two_plural_forms():
    po = polib.pofile(str(CATALOG))
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "en"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Project-Id-Version"] == "Svod"
    assert "charset=UTF-8" in po.metadata["Content-Type"]


def test_translations_keep_the_placeholders_of_the_source():
    placeholder = re.compile(r"%\((\w+)\)[sd]|\{\{\s*\w+\s*\}\}")
    po = polib.pofile(str(CATALOG))
    for entry in po:
        expected = sorted(placeholder.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else []
        for msgstr in translations or [entry.msgstr]:
            assert sorted(placeholder.findall(msgstr)) == expected, entry.msgid


def test_the_compiled_catalog_matches_the_po_file():
    def translations(catalog: polib._BaseFile) -> dict:
        return {
            (e.msgctxt, e.msgid): e.msgstr_plural if e.msgid_plural else e.msgstr
            for e in catalog
            if e.msgid and not e.obsolete
        }

    compiled = polib.mofile(str(CATALOG.with_suffix(".mo")))
    assert translations(compiled) == translations(polib.pofile(str(CATALOG)))


# The catalog against the code


def test_the_extractor_sees_every_way_of_marking_a_string(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        "{% load i18n %}\n"
        '  <h1>{% translate "Заголовок" %}</h1>\n'
        "    {% blocktranslate with name=user.name %}Привет, {{ name }}{% endblocktranslate %}\n"
        '{% translate "Май" context "месяц" %}\n'
        "{% blocktranslate count counter=n %}{{ counter }} день{% plural %}"
        "{{ counter }} дней{% endblocktranslate %}\n"
        '{{ value|default:_("нет") }}\n',
        encoding="utf-8",
    )
    (tmp_path / "module.py").write_text(
        "from django.utils.translation import gettext_lazy as _, ngettext, pgettext_lazy\n"
        'TITLE = _("Клиенты")\n'
        'LABEL = _("длинная " "строка")\n'
        'WORD = pgettext_lazy("глагол", "Открыть")\n'
        'COUNT = ngettext("%(n)s файл", "%(n)s файлов", 2)\n'
        'NOT_MARKED = str("Не отмечено")\n',
        encoding="utf-8",
    )
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "ignored.py").write_text('_("Чужая строка")\n')

    assert set(extract_messages(tmp_path)) == {
        (None, "Заголовок", None),
        (None, "Привет, %(name)s", None),
        ("месяц", "Май", None),
        (None, "%(counter)s день", "%(counter)s дней"),
        (None, "нет", None),
        (None, "Клиенты", None),
        (None, "длинная строка", None),
        ("глагол", "Открыть", None),
        (None, "%(n)s файл", "%(n)s файлов"),
    }


def test_catalog_has_every_string_marked_in_the_code():
    marked = extract_messages(ROOT)
    catalog = _catalog_keys(polib.pofile(str(CATALOG)))
    missing = sorted(f"{path}: {key[1]!r}" for key, path in marked.items() if key not in catalog)
    stale = sorted(key[1] for key in catalog - set(marked))
    assert missing == [], "run makemessages -l en and translate the new strings"
    assert stale == [], "run makemessages -l en --no-obsolete"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_makemessages_finds_nothing_new(tmp_path, monkeypatch, settings):
    sources = tmp_path / "src"

    def not_sources(directory: str, names: list[str]) -> list[str]:
        return [
            name
            for name in names
            if _ignored(name)
            or name == "locale"
            or (Path(directory, name).is_file() and not name.endswith(EXTENSIONS))
        ]

    shutil.copytree(ROOT, sources, ignore=not_sources)
    settings.LOCALE_PATHS = [str(sources / "locale")]
    monkeypatch.chdir(sources)
    call_command(
        "makemessages",
        locale=["en"],
        ignore_patterns=IGNORE_PATTERNS,
        no_obsolete=True,
        verbosity=0,
    )
    extracted = _catalog_keys(polib.pofile(str(sources / "locale/en/LC_MESSAGES/django.po")))
    catalog = _catalog_keys(polib.pofile(str(CATALOG)))
    assert sorted(k[1] for k in extracted - catalog) == [], "new strings are not in the catalog"
    assert sorted(k[1] for k in catalog - extracted) == [], "the catalog has stale strings"


# The interface in English


@pytest.mark.django_db
def test_an_english_administrator_sees_the_dashboard_in_english(client, administrator):
    administrator.first_name, administrator.last_name = "Anna", "Smith"
    administrator.save(update_fields=["first_name", "last_name"])

    page = _english_page(client, administrator)

    assert '<html lang="en"' in page
    for text in ["Dashboard", "Clients", "Settings", "Hello, Anna", "Sign out", "soon"]:
        assert text in page
    assert "Рабочий стол" not in page
    # No Russian left anywhere on the page, apart from the logo letter.
    assert set(CYRILLIC_WORD.findall(page)) <= {LOGO_LETTER}


@pytest.mark.django_db
def test_an_english_manager_sees_english_without_the_settings_section(client, manager):
    page = _english_page(client, manager)

    assert "Dashboard" in page
    assert "Clients" in page
    assert "Settings" not in page
    assert "Рабочий стол" not in page


@pytest.mark.django_db
def test_a_russian_user_sees_the_dashboard_in_russian(client, administrator):
    assert administrator.language == "ru"
    client.force_login(administrator)

    page = client.get("/").content.decode()

    assert '<html lang="ru"' in page
    for text in ["Рабочий стол", "Клиенты", "Настройки"]:
        assert text in page
    assert "Dashboard" not in page


@pytest.mark.django_db
def test_other_english_pages_have_no_russian_left(client, administrator):
    administrator.first_name, administrator.last_name = "Anna", "Smith"
    administrator.save(update_fields=["first_name", "last_name"])
    for name in ["clients:list", "accounts:user_list", "accounts:profile", "core:audit_log"]:
        page = OPTION.sub("", _english_page(client, administrator, reverse(name)))
        assert set(CYRILLIC_WORD.findall(page)) <= {LOGO_LETTER}, name


# The login page and the language switch


@pytest.mark.django_db
def test_set_language_switches_the_login_page_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302

    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="en"' in page
    for text in ["Sign in", "Username", "Password", "Forgot your password?"]:
        assert text in page
    assert "Войти" not in page
    # the language switcher names each language in itself
    assert set(CYRILLIC_WORD.findall(page)) <= {LOGO_LETTER, "Русский"}


@pytest.mark.django_db
def test_the_login_page_is_russian_by_default(client):
    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="ru"' in page
    assert "Войти" in page
    assert "Sign in" not in page
