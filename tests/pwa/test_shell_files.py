"""Fast checks of the PWA shell's files (no browser): precache list, manifest, locales, CSP."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

PWA = Path(__file__).resolve().parents[2] / "pwa"
SW = (PWA / "sw.js").read_text(encoding="utf-8")
LOCALES = ("zh-CN", "en")


def precached() -> list[str]:
    block = re.search(r"const SHELL_FILES = \[(.*?)\];", SW, re.S)
    assert block, "sw.js must list its shell files in `const SHELL_FILES = [...]`"
    return re.findall(r"'([^']+)'", block.group(1))


def local_path(url: str) -> Path:
    return PWA / ("index.html" if url == "/" else url.lstrip("/"))


def catalogue(locale: str) -> dict[str, str]:
    return json.loads((PWA / "locales" / f"{locale}.json").read_text(encoding="utf-8"))


def test_service_worker_has_a_version_and_a_versioned_cache() -> None:
    assert re.search(r"^const VERSION = '[\w.-]+';$", SW, re.M)
    assert "const CACHE = `shell-${VERSION}`;" in SW


def test_every_precached_file_exists() -> None:
    urls = precached()
    assert "/" in urls
    assert len(urls) == len(set(urls)), "a file is listed twice"
    missing = [url for url in urls if not local_path(url).is_file()]
    assert missing == []


def test_api_and_well_known_are_never_precached() -> None:
    assert not [url for url in precached() if url.startswith(("/api/", "/.well-known/"))]


# Folders whose modules are being written by other work and are not wired into the app yet.
# When a folder's modules are imported by the app, list them in SHELL_FILES and drop it here.
NOT_PRECACHED_YET: tuple[str, ...] = ()  # js/verify/ is imported by the scanner now


@pytest.mark.parametrize("folder", ["js", "css", "locales", "icons", "vendor"])
def test_every_shell_file_is_precached(folder: str) -> None:
    """A module added under js/ (a new view) but not to SHELL_FILES would break offline use."""
    listed = set(precached())
    served = {".js", ".mjs", ".css", ".json", ".png", ".wasm"}
    files = [p for p in (PWA / folder).rglob("*") if p.is_file() and p.suffix in served]
    assert files
    urls = [f"/{p.relative_to(PWA).as_posix()}" for p in files]
    missing = [u for u in urls if u not in listed and not u.startswith(NOT_PRECACHED_YET)]
    assert missing == []


def shell_modules() -> list[Path]:
    """The shell's own modules: js/*.js and js/views/*.js (other folders have their own owners)."""
    return sorted([*(PWA / "js").glob("*.js"), *(PWA / "js" / "views").glob("*.js"), PWA / "sw.js"])


@pytest.mark.parametrize("path", shell_modules(), ids=lambda p: p.name)
def test_shell_modules_stay_within_es2019(path: Path) -> None:
    """Old Android WebViews lack ES2020+: no optional chaining, no nullish operators."""
    code = re.sub(r"^\s*(//|/?\*).*$", "", path.read_text("utf-8"), flags=re.M)  # comment lines
    assert not re.findall(r"\?\.(?!\d)|\?\?", code)


def test_manifest_is_installable() -> None:
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "返岗服务"
    assert manifest["short_name"] == "返岗"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].upper() == "#07C160"
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(icons)
    for (sizes, _), icon in icons.items():
        path = local_path(icon["src"])
        assert path.is_file(), icon["src"]
        assert icon["type"] == "image/png"
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == sizes


def test_locales_have_the_same_keys() -> None:
    zh, en = catalogue("zh-CN"), catalogue("en")
    assert sorted(set(zh) - set(en)) == [], "keys missing in en.json"
    assert sorted(set(en) - set(zh)) == [], "keys missing in zh-CN.json"


@pytest.mark.parametrize("locale", LOCALES)
def test_locale_values_are_non_empty_text(locale: str) -> None:
    assert [
        k for k, v in catalogue(locale).items() if not isinstance(v, str) or not v.strip()
    ] == []


def test_locale_placeholders_match() -> None:
    zh, en = catalogue("zh-CN"), catalogue("en")
    names = re.compile(r"\{(\w+)\}")
    assert [k for k in zh if set(names.findall(zh[k])) != set(names.findall(en[k]))] == []


def test_every_key_the_code_uses_is_in_the_catalogue() -> None:
    """Literal keys in t('…') calls and in the route, tab and home-entry tables."""
    keys = set(catalogue("zh-CN"))
    used: set[str] = set()
    for path in (PWA / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*'([\w.-]+)'", text))
        used |= set(re.findall(r"\b(?:title|label|desc): '([\w.-]+)'", text))
    used |= {f"role.{role}" for role in ("worker", "volunteer", "employer", "official", "admin")}
    assert sorted(used - keys) == []


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def test_index_html_obeys_the_content_security_policy() -> None:
    """script-src/style-src 'self': no inline script, <style>, style= or on* attribute."""
    parser = _TagCollector()
    parser.feed((PWA / "index.html").read_text(encoding="utf-8"))
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts, "index.html loads the app with a module script"
    assert all(attrs.get("src", "").startswith("/") for attrs in scripts)
    assert parser.script_text == []
    assert not [tag for tag, _ in parser.tags if tag == "style"]
    assert not [tag for tag, attrs in parser.tags if "style" in attrs]
    assert not [(tag, a) for tag, attrs in parser.tags for a in attrs if a.startswith("on")]


def test_templates_set_no_inline_styles() -> None:
    """A style="…" attribute in a lit-html template is blocked by the CSP too."""
    offenders = [
        p.name for p in (PWA / "js").rglob("*.js") if re.search(r"\sstyle=", p.read_text("utf-8"))
    ]
    assert offenders == []


def test_vendored_packages_have_licences_and_are_documented() -> None:
    readme = (PWA / "vendor" / "README.md").read_text(encoding="utf-8")
    for folder in (p for p in (PWA / "vendor").iterdir() if p.is_dir()):
        assert list(folder.glob("LICEN[CS]E*")), f"{folder.name} has no licence file"
        assert f"[{folder.name}]" in readme, f"{folder.name} is not in vendor/README.md"


def test_the_scanner_names_every_dcc_schema_rule_in_both_languages() -> None:
    """A refused EU certificate says which field breaks which rule (js/views/scan.js)."""
    from app.cards.verification import SCHEMA_RULE_WORDS

    for locale in ("zh-CN", "en"):
        words = json.loads((PWA / "locales" / f"{locale}.json").read_text("utf-8"))
        assert {"{path}", "{rule}", "{version}"} <= set(
            re.findall(r"\{\w+\}", words["scan.schema_problem"])
        )
        for rule in SCHEMA_RULE_WORDS:
            assert words.get(f"scan.schema_rule.{rule}"), (locale, rule)
