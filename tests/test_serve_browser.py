"""Headless Chromium (Debian chromium + chromium-driver) drives the pages like a researcher who
knows names, not IRIs: search a name, open the entity, see its network drawn and click a node,
read the evidence sentence; pick a question, see named results in view; page through an answer.
Screenshots go to /tmp/h6/ (zh and en)."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                 reason="needs Debian packages chromium and chromium-driver")]

uvicorn = pytest.importorskip("uvicorn")
pyoxigraph = pytest.importorskip("pyoxigraph")
from kg.serve import ServeOptions, create_app  # noqa: E402
from test_push import free_port  # noqa: E402
from test_serve import make_store  # noqa: E402
from test_serve_pages import CANNED, EVIDENCE_NQ, EX  # noqa: E402

SHOTS = Path("/tmp/h6")
MAX_ROWS = 60  # the fixture has more triples: a SELECT of all of them is cut and flagged
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1200,900"]


def _serve(root, indexed: bool):
    (root / "queries").mkdir()
    (root / "queries" / "posts.rq").write_text(CANNED, encoding="utf-8")
    make_store(root, EVIDENCE_NQ)
    if indexed:  # the build's full-text index: the page's search box asks /search
        search = pytest.importorskip("kg.search")
        store = pyoxigraph.Store.read_only(str(root / "store"))
        search.write_index(store, root / search.INDEX_NAME)
        del store
    app = create_app(root, ServeOptions(workers=2, queries_dir=root / "queries", max_rows=MAX_ROWS))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """No search index: the search box falls back to /api/find."""
    yield from _serve(tmp_path_factory.mktemp("browser"), indexed=False)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("indexed"), indexed=True)


class WebDriver:
    """The few W3C WebDriver calls the tests need, over plain HTTP to chromedriver."""

    def __init__(self, profile):
        self.port = free_port()
        self.proc = subprocess.Popen([DRIVER, f"--port={self.port}"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": CHROMIUM, "args": FLAGS + [f"--user-data-dir={profile}"]}}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        return json.load(urllib.request.urlopen(req, timeout=60))["value"]

    def cmd(self, method, path, body=None):
        return self._call("POST" if body is not None else method, f"/session/{self.session}{path}", body)

    def go(self, url):
        self.cmd("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait(self, script, timeout=15.0):
        """The first truthy value of ``script`` (a function body returning something)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(script)
            if value or time.monotonic() > deadline:
                assert value, f"timed out waiting for: {script}"
                return value
            time.sleep(0.1)

    def find(self, css, timeout=15.0):
        deadline = time.monotonic() + timeout
        while True:
            found = self.cmd("POST", "/elements", {"using": "css selector", "value": css})
            if found or time.monotonic() > deadline:
                assert found, f"no element {css}"
                return list(found[0].values())[0]
            time.sleep(0.1)

    def click(self, css):
        self.cmd("POST", f"/element/{self.find(css)}/click", {})

    def text(self, css):
        return self.cmd("GET", f"/element/{self.find(css)}/text")

    def click_at(self, x, y):
        """A mouse click at viewport coordinates (a canvas has no elements to click)."""
        pointer = {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
            {"type": "pointerMove", "duration": 0, "x": int(x), "y": int(y), "origin": "viewport"},
            {"type": "pointerDown", "button": 0}, {"type": "pause", "duration": 50},
            {"type": "pointerUp", "button": 0}]}
        self.cmd("POST", "/actions", {"actions": [pointer]})

    def shot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / name).write_bytes(base64.b64decode(self.cmd("GET", "/screenshot")))

    def quit(self):
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture()
def wd(tmp_path):
    driver = WebDriver(tmp_path / "profile")
    yield driver
    driver.quit()


NODE_AT = """const n = window.kgNetwork; if (!n) return null;
const id = arguments[0]; n.network.moveTo({position: n.network.getPosition(id), scale: 1});
const p = n.network.canvasToDOM(n.network.getPosition(id));
const r = document.getElementById('network').getBoundingClientRect();
return [r.left + p.x, r.top + p.y];"""


def test_serve_browser_search_box_reads_the_index(indexed, wd):
    wd.go(f"{indexed}/?lang=zh")
    wd.cmd("POST", f"/element/{wd.find('#q')}/value", {"text": "签署\n"})
    wd.wait("return document.querySelector('#sentence-list li.evidence mark')")
    assert wd.text("#sentence-list li.evidence mark") == "签署"
    assert "江州推进数字化建设" in wd.text("#sentence-list li.evidence")  # its article's title
    wd.click("#sentence-list li.evidence a[href^='/evidence']")
    marks = wd.js("return [...document.querySelectorAll('li.evidence mark')].map(m => m.textContent)")
    assert "签署" in marks and "2023-10-29" in wd.text("li.evidence")  # the searched words, the date
    wd.shot("search_index_zh.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_serve_browser_search_entity_network_evidence(server, wd, lang):
    wd.go(f"{server}/?lang={lang}&q=张市长")  # an alias: found by the SPARQL fallback
    wd.wait("return document.querySelector('#entity-list a')")
    assert wd.text("#entity-list a") == "张明" and "张市长" in wd.text("#entity-list li")
    wd.shot(f"search_{lang}.png")
    wd.click("#entity-list a")
    assert wd.text("#entity-name") == "张明"
    nodes = wd.wait("const n = window.kgNetwork; return n && n.nodes.length")
    assert nodes >= 4 and wd.js("return document.querySelectorAll('#network canvas').length") == 1
    labels = wd.js("return window.kgNetwork.nodes.get().map(n => n.label)")
    assert "江州数字化建设推进会" in labels and "张明" in labels
    wd.js("document.getElementById('network').scrollIntoView()")
    time.sleep(1.5)  # let the layout settle before the picture and the click
    wd.shot(f"entity_{lang}.png")
    x, y = wd.js(NODE_AT, EX + "meet")
    wd.click_at(x, y)
    wd.wait("return location.search.includes(encodeURIComponent('http://example.org/meet'))")
    assert wd.text("#entity-name") == "江州数字化建设推进会"
    wd.cmd("POST", "/back", {})
    wd.click("#events a.ev-link")  # one click from the row to the sentence
    sentence = wd.text("li.evidence")
    assert "张明主持会议" in sentence and "江州推进数字化建设" in sentence and "2023-10-29" in sentence
    marks = wd.js("return [...document.querySelectorAll('li.evidence mark')].map(m => m.textContent)")
    assert marks == ["江州数字化建设推进会", "张明"]  # the role's event and agent
    wd.shot(f"evidence_{lang}.png")


@pytest.mark.parametrize("lang,question", [("zh", "谁担任什么职务？"), ("en", "Who holds which post?")])
def test_serve_browser_question_runs_and_shows_names_in_view(server, wd, lang, question):
    wd.cmd("POST", "/window/rect", {"width": 1000, "height": 520})
    wd.go(f"{server}/?lang={lang}&q=江州")  # found names above the questions: results below the fold
    wd.wait("return document.querySelectorAll('#questions option').length > 1 && "
            "document.querySelector('#sentence-list li')")
    height = wd.js("return window.innerHeight")
    assert wd.js("return document.getElementById('results-box').getBoundingClientRect().top") > height
    assert wd.js("return document.querySelectorAll('#questions option')[1].textContent") == question
    wd.click("#questions option[value='posts']")
    wd.wait("return document.querySelector('#result-table tbody tr')")
    top = wd.js("return document.getElementById('results-box').getBoundingClientRect().top")
    row = wd.js("return document.querySelector('#result-table tbody tr').getBoundingClientRect().bottom")
    assert 0 <= top and row <= height  # scrolled: the results are in view
    cells = wd.js("return [...document.querySelectorAll('#result-table tbody a')].map(a => a.textContent)")
    assert set(cells) == {"张明", "江州市委书记", "江州市长"}  # names, not the IRIs' last segments
    assert wd.text("#question") == question
    wd.shot(f"question_{lang}.png")


def test_serve_browser_paging_and_truncation(server, wd):
    wd.go(f"{server}/?lang=en")
    wd.click("#editor summary")
    wd.js("document.getElementById('query').value = 'SELECT ?s ?p ?o WHERE { ?s ?p ?o }';"
          "document.getElementById('page-size').value = '25';")
    wd.click("#run")
    wd.wait("return document.querySelector('#result-table tbody tr')")
    assert wd.text("#page-info") == f"1–25 / {MAX_ROWS} rows"
    assert wd.js("return document.getElementById('truncated').hidden") is False
    assert wd.js("return document.getElementById('prev').disabled") is True
    wd.click("#next")
    wd.wait("return document.getElementById('page-info').textContent.startsWith('26')")
    wd.click("#next")
    wd.wait(f"return document.getElementById('page-info').textContent.startsWith('51–{MAX_ROWS}')")
    assert wd.js("return document.querySelectorAll('#result-table tbody tr').length") == MAX_ROWS - 50
    assert wd.js("return document.getElementById('next').disabled") is True
    wd.click("#prev")
    wd.wait("return document.getElementById('page-info').textContent.startsWith('26–50')")
    wd.shot("paging_en.png")
