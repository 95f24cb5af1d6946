"""Headless Chromium (Debian chromium + chromium-driver) drives the page like a researcher:
load it, run a canned query, follow a result to its entity page, see the evidence."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                 reason="needs Debian packages chromium and chromium-driver")]

uvicorn = pytest.importorskip("uvicorn")
from kg.serve import ServeOptions, create_app  # noqa: E402
from test_push import free_port  # noqa: E402
from test_serve_pages import CANNED, EVIDENCE_NQ  # noqa: E402
from test_serve import make_store  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1200,900"]


@pytest.fixture()
def server(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "posts.rq").write_text(CANNED, encoding="utf-8")
    make_store(tmp_path, EVIDENCE_NQ)
    app = create_app(tmp_path, ServeOptions(workers=2, queries_dir=tmp_path / "queries"))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


class WebDriver:
    """The few W3C WebDriver calls the test needs, over plain HTTP to chromedriver."""

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
        return self._call(method, f"/session/{self.session}{path}", body)

    def find(self, css, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            found = self.cmd("POST", "/elements", {"using": "css selector", "value": css})
            if found or time.monotonic() > deadline:
                assert found, f"no element {css}"
                return list(found[0].values())[0]
            time.sleep(0.1)

    def quit(self):
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.terminate()
            self.proc.wait(10)


def test_serve_browser_canned_query_to_entity_evidence(server, tmp_path):
    wd = WebDriver(tmp_path / "profile")
    try:
        wd.cmd("POST", "/url", {"url": server + "/?lang=en"})
        wd.cmd("POST", f"/element/{wd.find('a.canned')}/click", {})
        wd.find("#result-table tbody tr")
        assert "Who holds which post" in wd.cmd("GET", f"/element/{wd.find('#question')}/text")
        link = wd.find("#result-table tbody td a[title='http://example.org/yuan']")
        wd.cmd("POST", f"/element/{link}/click", {})
        evidence = wd.find("li.evidence")
        text = wd.cmd("GET", f"/element/{evidence}/text")
        assert "市委书记袁家军出席会议并讲话" in text and "数字重庆建设大会召开" in text
        shot = wd.cmd("GET", "/screenshot")
        (tmp_path / "entity.png").write_bytes(__import__("base64").b64decode(shot))
    finally:
        wd.quit()
