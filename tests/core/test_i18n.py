"""简体中文 is the default; every msgid in code and templates has a Chinese translation."""

import re
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po

import wanghua

PACKAGE = Path(wanghua.__file__).parent
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
TEMPLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
BLOCK_TAG = re.compile(r"{%\s*blocktranslate(?P<args>[^%]*)%}(?P<body>.*?){%\s*(?:plural|endblocktranslate)\s*%}",
                       re.S)


def catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="zh_Hans")


def source_msgids() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts or "demo" in path.parts:
            continue
        with path.open("rb") as handle:
            for _line, _func, message, _comments in extract_python(handle, KEYWORDS, [], {}):
                found.add(message[0] if isinstance(message, tuple) else message)
    for path in PACKAGE.rglob("*.html"):
        text = path.read_text()
        found.update(m.group(2) for m in TEMPLATE_TAG.finditer(text))
        for block in BLOCK_TAG.finditer(text):
            body = re.sub(r"{{\s*(\w+)[^}]*}}", r"%(\1)s", block.group("body"))
            found.add(" ".join(body.split()) if "trimmed" in block.group("args") else body)
    return {m for m in found if m}


def test_every_catalogue_entry_is_translated():
    untranslated = [m.id for m in catalogue() if m.id and not all(m.string if isinstance(m.string, tuple)
                                                                   else [m.string])]
    assert untranslated == []


def test_every_source_msgid_is_in_the_catalogue():
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue() if m.id}
    missing = sorted(source_msgids() - known)
    assert missing == [], "run `make messages` and translate: " + ", ".join(missing)


def test_chinese_is_default_and_english_switchable(client, db):
    page = client.get("/accounts/login/")
    assert "望花区数字治理平台" in page.content.decode() and page["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    english = client.get("/accounts/login/")
    assert "Wanghua digital governance" in english.content.decode()


# Symbols that read the same in Chinese: chemical elements with their unit, the primary key, a digest's name.
SYMBOL = re.compile(r"[A-Z][A-Za-z0-9]{0,3}( \(%\))?|SHA-256")


def test_every_model_and_field_has_a_chinese_name():
    """A model's and a field's verbose name is what the trail, list headers and form labels show: never `previous
    hash`."""
    from django.apps import apps
    from django.utils import translation

    english = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            if not model.__module__.startswith("wanghua."):
                continue
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
                if not re.search(r"[\u4e00-\u9fff]", str(name)):
                    english.append(f"{model._meta.label}: {name}")
            for field in model._meta.concrete_fields:
                name = str(field.verbose_name)
                if not field.primary_key and not SYMBOL.fullmatch(name) and not re.search(r"[\u4e00-\u9fff]", name):
                    english.append(f"{model._meta.label}.{field.name}: {name}")
    assert english == []
