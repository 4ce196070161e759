"""A real headless Chromium against the built site, served on 127.0.0.1. Required: missing tools fail the run."""
import functools
import http.server
import json
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url(real_site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(real_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE) if not p.exists()]
    if missing:
        pytest.fail(f"Browser-test tools are missing: {', '.join(missing)}. Run `make browser-tools` "
                    "(apt-get install chromium chromium-driver, npm ci).")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1000"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait(driver, condition, seconds=15):
    return WebDriverWait(driver, seconds).until(condition)


def test_overview_leads_to_every_quote_of_both_sides_in_two_clicks(browser, base_url):
    browser.get(f"{base_url}/index.html")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Not medical advice." in body
    assert "contradictions" in body and "claims" in body
    card = next(c for c in browser.find_elements(By.CSS_SELECTOR, "div.conflict") if c.get_attribute("data-topic") == "nsaid-avoid-after")
    sides = card.find_elements(By.CSS_SELECTOR, "div.side")
    assert [side.find_element(By.CSS_SELECTOR, ".side-head").text.split(" · ")[0] for side in sides] == [
        "Side A: 4 days", "Side B: 3 weeks"]  # 004's 4 days against 002's and 004's 3 weeks
    quotes = card.find_elements(By.CSS_SELECTOR, "blockquote.quote")
    assert len(quotes) == 4 and all(q.text.startswith("“") for q in quotes)
    assert "contradicts itself" in card.text
    if len(sides) > 1 and browser.get_window_size()["width"] >= 1000:
        assert sides[0].location["y"] == sides[1].location["y"]  # side by side on a wide screen
    card.find_element(By.CSS_SELECTOR, "p.conflict-head a").click()  # first click: the topic page
    wait(browser, EC.url_contains("topics/nsaid-avoid-after.html"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Avoiding NSAIDs after treatment"
    source_link = browser.find_element(By.CSS_SELECTOR, "table a[href*='sources/004.html']")
    source_link.click()  # second click: the quote highlighted in the source's full text
    wait(browser, EC.url_contains("sources/004.html#004-nsaid-avoid-after"))
    marks = browser.find_elements(By.CSS_SELECTOR, ".source-text mark")
    assert any("and for 4 days after" in m.text for m in marks)


def test_topic_page_shows_quotes_and_chart(browser, base_url):
    browser.get(f"{base_url}/topics/nsaid-avoid-after.html")
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) == 4
    assert any("Continue avoiding NSAIDs for 3 weeks" in row.text for row in rows)
    chart = browser.find_element(By.CSS_SELECTOR, "svg.interval-chart")
    assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent").startswith("Avoiding NSAIDs after treatment")
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect")) == 4
    assert chart.size["width"] > 400


def test_source_page_highlights_quotes_linked_to_topics(browser, base_url):
    browser.get(f"{base_url}/sources/004.html")
    links = browser.find_elements(By.CSS_SELECTOR, ".source-text mark a")
    assert len(links) >= 25
    assert all("/topics/" in link.get_attribute("href") for link in links)
    assert "There are no contraindications for exosome injections." in browser.find_element(By.CSS_SELECTOR, ".source-text").text


def test_conflicts_filter_works_without_a_server(browser, base_url):
    browser.get(f"{base_url}/conflicts.html")
    cards = browser.find_elements(By.CSS_SELECTOR, "div.conflict")
    count = browser.find_element(By.CSS_SELECTOR, "output.filter-count")
    wait(browser, lambda d: count.text == f"{len(cards)} of {len(cards)} shown")
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=severity]")).select_by_visible_text("high")
    visible = [c for c in cards if c.is_displayed()]
    assert 0 < len(visible) < len(cards)
    assert {c.get_attribute("data-severity") for c in visible} == {"high"}
    assert count.text == f"{len(visible)} of {len(cards)} shown"


def test_search_finds_claims(browser, base_url):
    browser.get(f"{base_url}/index.html")
    browser.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    field = wait(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    wait(browser, lambda d: "Initializing search" not in d.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text, 30)
    field.send_keys("NSAIDs")
    results = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    assert results


@pytest.mark.parametrize("page", ["index.html", "conflicts.html", "topics/nsaid-avoid-after.html", "sources/003.html",
                                  "matrix.html", "topics/index.html"])
def test_no_serious_accessibility_violations(browser, base_url, page):
    browser.get(f"{base_url}/{page}")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script("const done = arguments[arguments.length - 1]; axe.run().then(done);")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)


def test_usable_on_a_phone(browser, base_url):
    browser.set_window_size(390, 844)
    try:
        for page in ["index.html", "topics/nsaid-avoid-after.html", "sources/003.html"]:
            browser.get(f"{base_url}/{page}")
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), page
    finally:
        browser.set_window_size(1280, 1000)


def test_no_request_leaves_the_machine(browser, base_url):
    browser.get_log("performance")  # discard earlier entries
    for page in ["index.html", "topics/nsaid-avoid-after.html", "sources/002.html", "conflicts.html"]:
        browser.get(f"{base_url}/{page}")
    host = urlsplit(base_url).netloc
    urls = [json.loads(entry["message"])["message"]["params"]["request"]["url"]
            for entry in browser.get_log("performance")
            if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"]
    outside = [u for u in urls if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != host]
    assert urls and outside == []
