"""The page in a real browser: Debian's headless Chromium against a real server.

Skips where Chromium or its driver is missing; ``.ci/run`` installs both. Screenshots
of each state go to ``reports/screenshots/`` (or ``$TONE_SCREENSHOTS``).
"""

import csv
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.live import live_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# The flags this machine needs; no network beyond loopback, a fresh profile each run.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
]
MAX_BATCH = 2
MAX_TEXT_CHARS = 20_000
MAX_BODY_BYTES = 65_536
OPINION_ID, REPORTING_ID = "b1-e01-b", "b1-e01-a"


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict[str, Any]]:
    lines = (ROOT / "labels" / "articles.jsonl").read_text("utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, lines)}


@pytest.fixture(scope="module")
def server(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "TONE_MAX_BATCH": str(MAX_BATCH),
        "TONE_MAX_TEXT_CHARS": str(MAX_TEXT_CHARS),
        "TONE_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    }
    with live_server(
        model_dir, tmp_path_factory.mktemp("page-server"), env=env
    ) as live:
        yield live.url


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def chromium() -> None:
    """Skip (before any server starts) where there is no browser to drive."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip(
            f"no Chromium at {CHROMIUM} or no chromedriver at {CHROMEDRIVER} "
            "(apt-get install chromium chromium-driver; .ci/run does this)"
        )
    pytest.importorskip("selenium", reason="selenium is in the dev extra")


@pytest.fixture(scope="module")
def browser(
    chromium: None,
    server: str,
    downloads: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager would otherwise try the network.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(downloads)},
    )
    try:
        driver.get(server)
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    path = Path(os.environ.get("TONE_SCREENSHOTS", ROOT / "reports" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _shoot(driver: Any, folder: Path, name: str) -> None:
    """Save the whole page, not just the window."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(800, int(height) + 40))
    driver.execute_script("window.scrollTo(0, 0)")
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    print(f"screenshot: {path}")


def _by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def _wait(driver: Any, script: str, timeout: float = 30) -> Any:
    """Wait until ``script`` (a JavaScript expression) is truthy; return its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script(f"return {script}")
    )


def _paste(driver: Any, text: str, title: str = "") -> None:
    """Put text in the boxes as a paste would (typing 2,000 characters is slow)."""
    _by_id(driver, "tab-one").click()
    driver.execute_script(
        "const [t, h, text, title] = arguments;"
        "t.value = text; h.value = title;"
        "t.dispatchEvent(new Event('input', {bubbles: true}));",
        _by_id(driver, "text"),
        _by_id(driver, "title"),
        text,
        title,
    )


def _submit_and_wait(driver: Any) -> None:
    driver.execute_script(
        "document.getElementById('one-status').textContent = '';"
        "document.getElementById('one-result').hidden = true;"
        "document.getElementById('one-error').hidden = true;"
    )
    _by_id(driver, "score-button").click()
    _wait(
        driver,
        "!document.getElementById('one-result').hidden || "
        "!document.getElementById('one-error').hidden",
    )


def _console_errors(driver: Any) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "/v1/score" not in entry["message"]
    ]


@pytest.mark.parametrize(
    "article_id",
    [
        pytest.param(OPINION_ID, id="opinion-editorial"),
        pytest.param(REPORTING_ID, id="reporting-wire"),
    ],
)
def test_pasted_article_shows_label_gauge_and_hedges(
    browser: Any,
    server: str,
    corpus: dict[str, dict[str, Any]],
    screenshots: Path,
    article_id: str,
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    article = corpus[article_id]
    expected = httpx.post(
        f"{server}/v1/score", json={"text": article["text"], "title": article["title"]}
    ).json()
    assert expected["label"] == article["label"]  # the page must show this label

    _paste(browser, article["text"], article["title"])
    _submit_and_wait(browser)
    assert _by_id(browser, "one-error").is_displayed() is False
    shown_label = _by_id(browser, "verdict-label").text
    assert shown_label == article["label"].capitalize()
    percent = f"{round(expected['opinion_probability'] * 100)}%"
    assert (
        _by_id(browser, "verdict-probability").text == f"{percent} opinion probability"
    )
    assert percent in _by_id(browser, "gauge").get_attribute("aria-label")
    assert _by_id(browser, "model-version").text == "test-model"

    # Every sentence shaded and labelled in words; the hedged ones marked as such.
    sentences = browser.find_elements(By.CSS_SELECTOR, "#article .sentence")
    assert len(sentences) == len(expected["sentences"])
    hedged = browser.find_elements(By.CSS_SELECTOR, "#article .sentence.hedged")
    assert len(hedged) == expected["hedging"]["hedged_sentences"] > 0
    for sentence in hedged:
        assert sentence.find_elements(By.CSS_SELECTOR, ".cue")
        tag = sentence.find_element(By.CSS_SELECTOR, ".tag")
        assert tag.text.endswith("opinion, hedged")
    # The article reads as sent: the text outside the added tags and tips is the text.
    shown_text = browser.execute_script(
        "const copy = document.getElementById('article').cloneNode(true);"
        "copy.querySelectorAll('.tag, .cue-tip').forEach((e) => e.remove());"
        "return copy.textContent;"
    )
    assert shown_text == article["text"]

    # Each cue is underlined text from the article, named on hover and on focus.
    cues = browser.find_elements(By.CSS_SELECTOR, "#article .cue")
    assert cues
    cue = cues[0]
    tip = cue.find_element(By.CSS_SELECTOR, ".cue-tip")
    assert tip.size["width"] <= 1  # hidden until asked for
    ActionChains(browser).move_to_element(cue).perform()
    assert tip.size["width"] > 20 and tip.text.startswith("(hedge: ")
    category = cue.get_attribute("data-category").split()[0]
    assert category.replace("_", " ") in tip.text
    assert cue.value_of_css_property("text-decoration-line") == "underline"
    ActionChains(browser).move_to_element(_by_id(browser, "article-heading")).perform()
    assert tip.size["width"] <= 1
    browser.execute_script("arguments[0].focus()", cues[-1])
    last_tip = cues[-1].find_element(By.CSS_SELECTOR, ".cue-tip")
    assert last_tip.size["width"] > 20
    cues[-1].send_keys(Keys.ESCAPE)  # hover text can be dismissed (WCAG 1.4.13)
    assert last_tip.size["width"] <= 1
    browser.execute_script("arguments[0].blur(); arguments[0].focus()", cues[-1])
    assert last_tip.size["width"] > 20
    # The top features each way, with masked tokens in words.
    for side in ("opinion", "reporting"):
        items = browser.find_elements(By.CSS_SELECTOR, f"#features-{side} li")
        shown = [item.find_element(By.CSS_SELECTOR, ".feature").text for item in items]
        sent = [f["feature"] for f in expected["top_features"][side]]
        assert shown == [
            f.replace("xxname", "[name]").replace("xxnum", "[number]") for f in sent
        ]
    _shoot(browser, screenshots, f"article-{article['label']}")
    assert _console_errors(browser) == []


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        pytest.param("", "text must not be empty", id="empty"),
        pytest.param("   \n\t ", "text must not be empty", id="whitespace"),
        pytest.param(
            "a " * (MAX_TEXT_CHARS // 2 + 1),
            f"text exceeds the maximum of {MAX_TEXT_CHARS} characters",
            id="too-long",
        ),
        # Few characters but many bytes: under the text limit, over the body limit.
        pytest.param(
            "\U0001f600" * (MAX_BODY_BYTES // 4 + 100),
            f"Request body exceeds the maximum of {MAX_BODY_BYTES} bytes",
            id="body-413",
        ),
    ],
)
def test_api_errors_are_shown_in_words(
    browser: Any, screenshots: Path, text: str, detail: str
) -> None:
    _paste(browser, text)
    _submit_and_wait(browser)
    error = _by_id(browser, "one-error")
    assert error.is_displayed()
    assert detail in error.text
    assert not _by_id(browser, "one-result").is_displayed()
    if text == "":
        _shoot(browser, screenshots, "error-empty")


def test_a_415_is_shown_in_words(browser: Any, corpus: dict[str, Any]) -> None:
    """As if a proxy rewrote the request's type: the real server refuses it."""
    _paste(browser, corpus[OPINION_ID]["text"])
    browser.execute_script(
        "const original = window.fetch;"
        "window.fetch = (url, init) => {"
        "  window.fetch = original;"
        "  return original(url, {...init, headers: {'Content-Type': 'text/plain'}});"
        "};"
    )
    _submit_and_wait(browser)
    assert _by_id(browser, "one-error").text == (
        "The service refused the request: Content-Type must be application/json."
    )


def test_tabs_work_from_the_keyboard(browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    one, file = _by_id(browser, "tab-one"), _by_id(browser, "tab-file")
    one.click()
    one.send_keys(Keys.ARROW_RIGHT)
    assert browser.switch_to.active_element == file
    assert file.get_attribute("aria-selected") == "true"
    assert _by_id(browser, "panel-file").is_displayed()
    assert not _by_id(browser, "panel-one").is_displayed()
    file.send_keys(Keys.HOME)
    assert _by_id(browser, "panel-one").is_displayed()


def _column(browser: Any, index: int) -> list[str]:
    from selenium.webdriver.common.by import By

    cells = browser.find_elements(
        By.CSS_SELECTOR, f"#results-table tbody tr td:nth-child({index})"
    )
    return [cell.text for cell in cells]


def test_file_of_articles_is_scored_in_chunks_sorted_and_downloaded(
    browser: Any,
    corpus: dict[str, dict[str, Any]],
    downloads: Path,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By

    chosen = [corpus[i] for i in sorted(corpus)[:5]]
    lines = [
        json.dumps({"id": a["id"], "title": a["title"], "text": a["text"]})
        for a in chosen
    ]
    lines.insert(2, json.dumps({"id": "blank", "text": "  "}))
    lines.insert(4, "{not json")
    upload = tmp_path / "mixed.jsonl"
    upload.write_text("\n".join(lines) + "\n", "utf-8")

    _by_id(browser, "tab-file").click()
    _by_id(browser, "file").send_keys(str(upload))
    _by_id(browser, "file-button").click()
    status = _wait(
        browser,
        "/^Scored/.test(document.getElementById('file-status').textContent) && "
        "document.getElementById('file-status').textContent",
    )
    # Five good articles, at most two per request: three requests; two rows refused.
    assert status == (
        "Scored 5 of 7 articles in 3 requests; "
        "2 could not be scored (see the Error column)."
    )
    assert _column(browser, 1) == [str(n) for n in range(1, 8)]
    ids = _column(browser, 2)
    assert ids == [
        chosen[0]["id"],
        chosen[1]["id"],
        "blank",
        chosen[2]["id"],
        "",
        chosen[3]["id"],
        chosen[4]["id"],
    ]
    labels = dict(zip(ids, _column(browser, 4), strict=True))
    for article in chosen:
        assert labels[article["id"]] == article["label"].capitalize()
    errors = dict(zip(_column(browser, 1), _column(browser, 9), strict=True))
    assert errors["3"] == "text must not be empty"
    assert errors["5"] == "line 5 is not valid JSON"
    _shoot(browser, screenshots, "file-results")

    probability_header = browser.find_element(
        By.CSS_SELECTOR, "#results-table button[data-key='opinion_probability']"
    )
    probability_header.click()
    values = [float(v) for v in _column(browser, 5) if v]
    assert values == sorted(values) and len(values) == 5
    assert _column(browser, 5)[-2:] == ["", ""]  # unscored rows stay last
    th = probability_header.find_element(By.XPATH, "..")
    assert th.get_attribute("aria-sort") == "ascending"
    probability_header.click()
    values = [float(v) for v in _column(browser, 5) if v]
    assert values == sorted(values, reverse=True)
    assert th.get_attribute("aria-sort") == "descending"

    _by_id(browser, "download-button").click()
    target = downloads / "mixed-scored.csv"
    deadline = time.monotonic() + 10
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ids  # in file order, whatever the table's sort
    assert list(rows[0]) == [
        "row",
        "id",
        "title",
        "label",
        "opinion_probability",
        "hedging_score",
        "hedged_sentences",
        "sentences",
        "model_version",
        "error",
    ]
    for row, article in zip([rows[i] for i in (0, 1, 3, 5, 6)], chosen, strict=True):
        assert row["label"] == article["label"] and row["model_version"] == "test-model"
        assert row["title"] == article["title"] and row["error"] == ""
    assert rows[2]["error"] == "text must not be empty"
    assert _console_errors(browser) == []


def test_csv_with_quotes_commas_and_line_breaks(
    browser: Any, corpus: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    article = corpus[OPINION_ID]
    upload = tmp_path / "quoted.csv"
    with upload.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "text", "id"])
        writer.writerow([article["title"], article["text"], 'has "quotes", commas'])
    assert "\n" in article["text"] and '"' in article["text"]
    _by_id(browser, "tab-file").click()
    _by_id(browser, "file").send_keys(str(upload))
    _by_id(browser, "file-button").click()
    _wait(
        browser,
        "/^Scored 1 of 1/.test(document.getElementById('file-status').textContent)",
    )
    assert _column(browser, 2) == ['has "quotes", commas']
    assert _column(browser, 3) == [article["title"]]
    assert _column(browser, 4) == ["Opinion"]


def test_csv_without_a_text_column_says_so(browser: Any, tmp_path: Path) -> None:
    upload = tmp_path / "wrong.csv"
    upload.write_text("id,body\n1,Some words.\n", "utf-8")
    _by_id(browser, "tab-file").click()
    _by_id(browser, "file").send_keys(str(upload))
    _by_id(browser, "file-button").click()
    error = _wait(
        browser,
        "!document.getElementById('file-error').hidden && "
        "document.getElementById('file-error').textContent",
    )
    assert error.startswith('Could not read wrong.csv: The file has no "text" column')
    assert "(its columns are: id, body)" in error
