"""kg.executor and kg.executor_dask: per-file time limits, workers that die with `kg build`,
SIGTERM/SIGINT, and the Dask executor (missing install, bad address, a real cluster).

A tiny NLP backend written by these tests (``SLOW_BACKEND``, registered as ``slow``) sleeps on a
text holding SLEEP and leaves a file named by the process id that ran it, so the time limit and
the kills act on real child processes, and the test can check that those processes are gone.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.annotate
from kg import executor
from kg.build import BuildOptions
from kg.cli import main
from kg.errors import BuildError

psutil = pytest.importorskip("psutil")

SLOW_BACKEND = '''
"""An NLP backend for tests: sleeps KG_TEST_SLEEP seconds on a text holding SLEEP."""
import os
import time
from pathlib import Path


class Slow:
    name, version = "slow", "0"

    def analyze(self, texts):
        from kg.annotate import Analysis

        slow = any("SLEEP" in t for t in texts)
        if os.environ.get("KG_TEST_PIDS"):
            Path(os.environ["KG_TEST_PIDS"], f"{os.getpid()}.{'slow' if slow else 'ok'}").touch()
        if slow:
            time.sleep(float(os.environ.get("KG_TEST_SLEEP", "60")))
        return [Analysis() for _ in texts]


def create(**options):
    return Slow()


def dask_setup(worker=None):  # `dask worker --preload kg_slow_backend`
    from kg.annotate import register

    register("slow", "kg_slow_backend")
'''

#: `kg build` with the slow backend registered (forked workers inherit it)
LAUNCH = ("import kg.annotate; kg.annotate.register('slow', 'kg_slow_backend'); "
          "from kg.cli import main; main()")


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plugin")
    (folder / "kg_slow_backend.py").write_text(SLOW_BACKEND, encoding="utf-8")
    return folder


@pytest.fixture
def slow_backend(plugin_dir, tmp_path, monkeypatch) -> Path:
    """The ``slow`` backend in this process; returns the folder where its runs leave pids."""
    monkeypatch.syspath_prepend(str(plugin_dir))
    monkeypatch.setitem(kg.annotate._FACTORIES, "slow", "kg_slow_backend")
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("KG_TEST_PIDS", str(pids))
    monkeypatch.setenv("KG_TEST_SLEEP", "60")
    return pids


def sources(folder: Path, slow=(), ok=()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in slow:
        (folder / name).write_text("测试标题\n这一篇要很久。SLEEP\n", encoding="utf-8")
    for name in ok:
        (folder / name).write_text("测试标题\n这一篇很快。\n", encoding="utf-8")
    return folder


def pids(folder: Path, kind: str) -> set[int]:
    return {int(p.stem) for p in folder.glob(f"*.{kind}")}


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


# ------------------------------------------------------------------ --file-timeout, local


@pytest.mark.parametrize("workers", [1, 2])
def test_executor_file_timeout_fails_the_file_and_kills_its_process(tmp_path, slow_backend, workers):
    src = sources(tmp_path / "src", slow=["slow.txt"], ok=["a.txt", "b.txt"])
    options = BuildOptions(nlp="slow", workers=workers, progress=False, file_timeout=2)
    shards = tmp_path / "shards"
    outcomes = {Path(o.path).name: o for o in executor.run(sorted(src.iterdir()), shards, options)}
    assert outcomes["slow.txt"].message.startswith(
        f"{src / 'slow.txt'}: took longer than 2 s (--file-timeout); ")
    assert [outcomes[n].error for n in ("a.txt", "b.txt")] == [None, None]
    assert sorted(p.name for p in shards.iterdir()) == ["a.txt.nq", "b.txt.nq"]
    slow = pids(slow_backend, "slow")
    assert slow and os.getpid() not in slow  # it ran in a child process, even with one worker
    assert wait_for(lambda: not any(map(alive, slow)), 5)


def test_executor_without_limit_one_worker_runs_here(tmp_path, slow_backend):
    src = sources(tmp_path / "src", ok=["a.txt"])
    options = BuildOptions(nlp="slow", workers=1, progress=False)
    [outcome] = executor.run([src / "a.txt"], tmp_path / "shards", options)
    assert outcome.error is None and pids(slow_backend, "ok") == {os.getpid()}


def test_cli_build_file_timeout_reports_the_file_and_builds_the_rest(tmp_path, slow_backend):
    src = sources(tmp_path / "src", slow=["slow.txt"], ok=["a.txt"])
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "out"), "--nlp",
                                       "slow", "--file-timeout", "1.5", "-j", "1", "--no-validate"])
    assert result.exit_code == 1, result.output
    assert f"failed: {src / 'slow.txt'}: took longer than 1.5 s (--file-timeout)" in result.stderr
    assert "built 1 document(s)" in result.stderr


# ------------------------------------------------------------------ workers die with kg build


def start_build(tmp_path: Path, plugin_dir: Path, executor_name: str, sleep: float):
    """`kg build` of three slow files in a subprocess, returned once two workers are sleeping."""
    src = sources(tmp_path / "src", slow=["s1.txt", "s2.txt", "s3.txt"])
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    env = {**os.environ, "KG_TEST_PIDS": str(pid_dir), "KG_TEST_SLEEP": str(sleep),
           "PYTHONPATH": os.pathsep.join([str(plugin_dir), os.environ.get("PYTHONPATH", "")]),
           "DASK_DISTRIBUTED__WORKER__PRELOAD": '["kg_slow_backend"]'}
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "build", str(src), "--out",
                             str(tmp_path / "out"), "--nlp", "slow", "-j", "2", "--no-validate",
                             "--executor", executor_name], env=env, cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait_for(lambda: len(pids(pid_dir, "slow")) >= 2 or proc.poll() is not None, 120):
        proc.kill()
    if proc.poll() is not None:
        pytest.fail(f"kg build did not start its workers: {proc.communicate()}")
    return proc, pids(pid_dir, "slow")


EXECUTORS = ["local", pytest.param("dask", marks=pytest.mark.slow)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("executor_name", EXECUTORS)
def test_build_sigkill_leaves_no_worker_that_writes(tmp_path, plugin_dir, executor_name):
    if executor_name == "dask":
        pytest.importorskip("distributed")
    sleep = 6.0
    proc, workers = start_build(tmp_path, plugin_dir, executor_name, sleep)
    assert proc.pid not in workers
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    killed = time.monotonic()
    assert wait_for(lambda: not any(map(alive, workers)), 10), [p for p in workers if alive(p)]
    time.sleep(max(0.0, killed + sleep + 1 - time.monotonic()))  # past the end of their sleep
    assert list((tmp_path / "out").rglob("*.nq")) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("executor_name, signum, group", [
    ("local", signal.SIGTERM, False),  # `kill PID`, a job scheduler's stop
    ("local", signal.SIGINT, True),    # Ctrl-C in a terminal: the whole process group
    pytest.param("dask", signal.SIGTERM, False, marks=pytest.mark.slow),
    pytest.param("dask", signal.SIGINT, True, marks=pytest.mark.slow)])
def test_build_sigterm_stops_workers_and_exits_2(tmp_path, plugin_dir, executor_name, signum, group):
    if executor_name == "dask":
        pytest.importorskip("distributed")
    proc, workers = start_build(tmp_path, plugin_dir, executor_name, 60)
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    assert f"error: kg build stopped by {signal.Signals(signum).name} after 0 of 3 file(s)" in stderr
    assert "hint: " in stderr and "Traceback" not in stderr
    assert wait_for(lambda: not any(map(alive, workers)), 10), [p for p in workers if alive(p)]


def test_worker_initializer_asks_for_a_signal_when_its_parent_dies():
    """The prctl call itself (the kill tests above show what it is for)."""
    if not sys.platform.startswith("linux"):
        assert executor._prctl_pdeathsig(signal.SIGKILL) is False
        return
    code = ("import ctypes, signal; from kg.executor import _prctl_pdeathsig; "
            "assert _prctl_pdeathsig(signal.SIGKILL); sig = ctypes.c_int(); "
            "ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0); print(sig.value)")  # GET
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == signal.SIGKILL


# ------------------------------------------------------------------ dask: errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("options, problem", [
    (BuildOptions(executor="spark"), "unknown executor 'spark'; known: local, dask"),
    (BuildOptions(scheduler="tcp://127.0.0.1:8786"),
     "--scheduler tcp://127.0.0.1:8786 is for --executor dask, not --executor local")])
def test_executor_refuses_bad_options_before_any_work(tmp_path, options, problem):
    src = sources(tmp_path / "src", ok=["a.txt"])
    with pytest.raises(BuildError) as err:
        list(executor.run([src / "a.txt"], tmp_path / "shards", options))
    assert str(err.value) == problem and "--executor dask" in err.value.hint
    assert not (tmp_path / "shards").exists()


def test_dask_missing_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    src = sources(tmp_path / "src", ok=["a.txt"])
    with pytest.raises(BuildError, match="--executor dask needs the packages") as err:
        list(executor.run([src / "a.txt"], tmp_path / "shards", BuildOptions(executor="dask")))
    assert "pip install 'kg[dask]'" in err.value.hint


@pytest.mark.parametrize("address, problem", [
    ("tcp://127.0.0.1:{port}", "Timed out trying to connect"),  # nothing listens there
    ("nonsense://127.0.0.1:{port}", "unknown address scheme"),
    ("tcp://127.0.0.1", "missing port number")])
def test_dask_bad_scheduler_address_is_one_clear_error(tmp_path, address, problem):
    pytest.importorskip("distributed")
    address = address.format(port=free_port())
    src = sources(tmp_path / "src", ok=["a.txt"])
    options = BuildOptions(executor="dask", scheduler=address, progress=False)
    with pytest.raises(BuildError) as err:
        list(executor.run([src / "a.txt"], tmp_path / "shards", options))
    assert f"cannot connect to the Dask scheduler at {address}: " in str(err.value)
    assert problem in str(err.value) and "dask scheduler" in err.value.hint


# ------------------------------------------------------------------ dask: a real cluster


@pytest.fixture(scope="module")
def cluster(plugin_dir, tmp_path_factory):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1, random ports; the workers
    may start child processes (for --file-timeout) and know the slow backend (--preload)."""
    distributed = pytest.importorskip("distributed")
    port, log = free_port(), tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
           "PYTHONPATH": os.pathsep.join([str(plugin_dir), os.environ.get("PYTHONPATH", "")])}
    dask = [sys.executable, "-m", "dask"]
    commands = [[*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]]
    commands += [[*dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                  "--no-dashboard", "--preload", "kg_slow_backend", "--name", f"w{i}"] for i in (1, 2)]
    procs = []
    try:
        for i, command in enumerate(commands):
            with open(log / f"{i}.log", "wb") as out:
                procs.append(subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT))
        with distributed.Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:  # workers first: a worker whose scheduler went at the same time lingers 8 s
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def real_sources(folder: Path) -> list[Path]:
    from conftest import SMALL_TEXT, ROOT

    folder.mkdir()
    (folder / "small.txt").write_text(SMALL_TEXT, encoding="utf-8")
    seed = next((ROOT / "seeds").glob("*.txt"))
    (folder / seed.name).write_bytes(seed.read_bytes())
    return sorted(folder.iterdir())


def built_shards(paths, shards: Path, options) -> dict[str, bytes]:
    outcomes = list(executor.run(paths, shards, options))
    assert [o.error for o in outcomes] == [None] * len(paths)
    assert {o.path for o in outcomes} == {str(p) for p in paths}
    return {p.name: p.read_bytes() for p in sorted(shards.iterdir())}


@pytest.mark.slow
def test_dask_cluster_quads_equal_local_and_model_once_per_worker(tmp_path, cluster):
    import distributed

    paths = real_sources(tmp_path / "src")
    local = built_shards(paths, tmp_path / "local", BuildOptions(workers=1, progress=False))
    remote = built_shards(paths, tmp_path / "dask", BuildOptions(executor="dask", scheduler=cluster,
                                                                  progress=False))
    assert sorted(local) == [f"{p.name}.nq" for p in paths]
    assert remote == local
    with distributed.Client(cluster, set_as_default=False) as client:
        made = client.run(lambda: len([k for k in __import__("kg.annotate").annotate._CACHE
                                       if k[0] == "lac"]))
    assert sorted(made.values()) in ([0, 1], [1, 1])  # one backend per worker that built


@pytest.mark.slow
def test_dask_cluster_file_timeout(tmp_path, cluster, slow_backend):
    src = sources(tmp_path / "src", slow=["slow.txt"], ok=["a.txt"])
    options = BuildOptions(executor="dask", scheduler=cluster, nlp="slow", file_timeout=2,
                           progress=False)
    built = executor.run(sorted(src.iterdir()), tmp_path / "sh", options)
    outcomes = {Path(o.path).name: o for o in built}
    assert outcomes["slow.txt"].message.startswith(
        f"{src / 'slow.txt'}: took longer than 2 s (--file-timeout); ")
    assert outcomes["a.txt"].error is None and (tmp_path / "sh" / "a.txt.nq").exists()


@pytest.mark.slow
def test_dask_file_timeout_refuses_daemonic_workers(tmp_path):
    distributed = pytest.importorskip("distributed")
    src = sources(tmp_path / "src", ok=["a.txt"])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=50) as daemonic:  # Dask's default: daemonic
        options = BuildOptions(executor="dask", scheduler=daemonic.scheduler_address,
                               file_timeout=5, progress=False)
        with pytest.raises(BuildError, match="--file-timeout needs Dask workers that may start "
                                             "a child process; 1 worker") as err:
            list(executor.run([src / "a.txt"], tmp_path / "shards", options))
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in err.value.hint


@pytest.mark.slow
def test_dask_local_cluster_quads_equal_local(tmp_path):
    pytest.importorskip("distributed")
    paths = real_sources(tmp_path / "src")
    local = built_shards(paths, tmp_path / "local", BuildOptions(workers=1, progress=False))
    dask = built_shards(paths, tmp_path / "dask", BuildOptions(executor="dask", workers=2,
                                                                progress=False))
    assert dask == local
