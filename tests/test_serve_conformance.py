"""W3C SPARQL 1.1 Protocol tests replayed against `kg serve` (harness: tests/conformance/)."""
from __future__ import annotations

import pytest

pytest.importorskip("starlette")
from conformance import protocol  # noqa: E402

CASES = protocol.load_cases() if protocol.MANIFEST else []


@pytest.mark.skipif(not CASES, reason="shared/conformance not found beside the repository")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_serve_conformance_protocol(case, tmp_path):
    assert protocol.run_case(case, tmp_path) is None


def test_serve_conformance_update_refused_unless_writable(tmp_path):
    from starlette.testclient import TestClient

    from kg.serve import ServeOptions, create_app

    build = protocol.make_store(tmp_path, protocol.Case("ro", "read-only"))
    with TestClient(create_app(build, ServeOptions(workers=1))) as client:
        r = client.post("/sparql", content=b"CLEAR ALL", headers={"content-type": "application/sparql-update"})
        assert r.status_code == 403 and "read-only" in r.text
        r = client.post("/sparql", data={"update": "CLEAR ALL"})
        assert r.status_code == 403
