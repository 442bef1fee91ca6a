"""The page at ``GET /`` and its assets, through the app (no browser)."""

import json
import re
import shutil
import subprocess
import tomllib
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from classifier.normalise import NOT_BLANK, is_blank
from service.api.routes.page import ASSETS
from service.main import create_app
from service.schemas import MAX_NAME_CHARS
from service.settings import Settings

STATIC = Path(__file__).resolve().parents[2] / "service" / "static"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


class _Page(HTMLParser):
    """The parts of the page's HTML the tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.inline_styles = 0
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.links += [v for k, v in attrs if k in {"href", "src"} and v]
        if tag in {"input", "textarea", "select"}:
            self.controls.append(attributes)
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if "style" in attributes or tag == "style":
            self.inline_styles += 1
        self._in_script = tag == "script"
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def _page(client: TestClient) -> _Page:
    parser = _Page()
    parser.feed(client.get("/").text)
    return parser


def test_page_is_served_as_html_with_the_limits(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    # The client fixture serves batches of at most 4 and texts of at most 5,000.
    assert 'data-max-batch="4"' in response.text
    assert 'data-max-text-chars="5000"' in response.text
    assert 'data-max-body-bytes="65536"' in response.text
    assert "{{" not in response.text


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        pytest.param("/static/page.css", "text/css; charset=utf-8", id="css"),
        pytest.param("/static/page.js", "text/javascript; charset=utf-8", id="js"),
        pytest.param("/static/favicon.png", "image/png", id="icon"),
    ],
)
def test_assets_have_their_content_types(
    client: TestClient, path: str, content_type: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.content == (STATIC / path.rsplit("/", 1)[1]).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/static/index.html", id="template-not-an-asset"),
        pytest.param("/static/missing.js", id="unknown"),
        pytest.param("/static/..%2Fmain.py", id="traversal"),
        pytest.param("/static/%2E%2E%2Fsettings.py", id="encoded-traversal"),
    ],
)
def test_only_the_listed_assets_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_every_link_on_the_page_is_served_by_the_app(client: TestClient) -> None:
    links = _page(client).links
    assert {"static/page.css", "static/page.js", "static/favicon.png", "docs"} <= set(
        links
    )
    for link in links:
        assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", link, re.IGNORECASE), link
        if not link.startswith("#"):
            assert client.get(f"/{link}").status_code == 200, link


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="html"),
        pytest.param("/static/page.css", id="css"),
        pytest.param("/static/page.js", id="js"),
    ],
)
def test_no_external_url_is_referenced(client: TestClient, path: str) -> None:
    text = client.get(path).text
    assert re.findall(r"https?://", text, re.IGNORECASE) == []
    assert re.findall(r"""(?:url\(|src=|href=)\s*["']?//""", text) == []
    assert "@import" not in text and "@font-face" not in text


def test_nothing_inline_so_the_policy_can_forbid_it(client: TestClient) -> None:
    page = _page(client)
    assert (page.inline_styles, page.inline_scripts) == (0, 0)


def test_every_control_has_a_label(client: TestClient) -> None:
    page = _page(client)
    assert len(page.controls) >= 4
    for control in page.controls:
        assert control.get("id") in page.label_for, control


def test_page_is_not_in_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/static") for p in paths)


def test_page_is_served_without_a_model(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(model_dir=tmp_path / "none"))) as client:
        assert client.get("/").status_code == 200
        assert client.get("/static/page.js").status_code == 200
        assert client.get("/v1/model").json() == {"detail": "Model not loaded"}


def test_static_files_are_package_data() -> None:
    """An installed (not editable) package must carry every file the page needs."""
    config = tomllib.loads(PYPROJECT.read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["service"]
    files = sorted(p.name for p in STATIC.iterdir() if p.is_file())
    assert files == sorted(["index.html", *ASSETS])
    for name in files:
        assert any(fnmatch(f"static/{name}", pattern) for pattern in patterns), name


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours.

    Examples
    --------
    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    >>> round(contrast("#767676", "#ffffff"), 2)
    4.54
    """
    light, dark = sorted([_luminance(foreground), _luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_pass_wcag_aa() -> None:
    css = (STATIC / "page.css").read_text("utf-8")
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    shades = re.findall(r"\.shade-\d \{ background: (#[0-9a-f]{6}); \}", css)
    assert len(shades) == 10
    pairs = [(var["ink"], shade) for shade in shades] + [
        (var["ink"], var["paper"]),
        (var["muted"], var["paper"]),
        (var["muted"], var["page"]),
        ("#ffffff", var["accent"]),
        (var["opinion"], var["paper"]),
        (var["reporting"], var["paper"]),
        (var["error-ink"], var["error-paper"]),
        ("#595959", "#e6e6e6"),  # a disabled button
    ]
    for foreground, background in pairs:
        assert contrast(foreground, background) >= 4.5, (foreground, background)


def test_the_page_calls_blank_what_the_api_calls_blank() -> None:
    """The page checks rows before sending them; its rules must be the API's."""
    script = (STATIC / "page.js").read_text()
    assert f"const NOT_BLANK = /{NOT_BLANK}/;" in script
    assert f"const MAX_NAME_CHARS = {MAX_NAME_CHARS};" in script
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    samples = ["", " \t\n", "\x00\u200b\ufeff", "\u2028\u3000", "\x80", "a", " \u00e9 "]
    judged = subprocess.run(
        [
            node,
            "-e",
            f"const re = /{NOT_BLANK}/; "
            "const texts = JSON.parse(process.argv[1]); "
            "console.log(JSON.stringify(texts.map((t) => !re.test(t))))",
            json.dumps(samples),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(judged.stdout) == [is_blank(text) for text in samples]
