"""Big inputs: build time and peak memory of one file of 1, 4 and 20 MB, and of one long line.

    python bench/big_files.py [--sizes 1,4,20] [--line-chars 200000] [--keep DIR]

The inputs are made at run time in a temporary folder (never committed) from the real news
items of ../shared/corpus/xwlb-2023 (front matter dropped), in file order:

- ``line``: the items' paragraphs joined with nothing between them, one line of
  ``--line-chars`` characters without a newline;
- ``line-ascii``: the same line typed with ASCII punctuation ("。" -> ". ", "，" -> ", " ...),
  where only ASCII full stops and commas separate sentences and clauses;
- ``<N>mb``: the items one after another (title line, paragraphs, blank lines between) until
  the file holds N MB of UTF-8.

Each input is built alone by ``kg build FILE --workers 1 --no-validate -q`` in a child process;
the wall time, the CPU time and the peak RSS of that process and its children (``os.wait4``)
are reported, with chars/s and the ratio of chars/s to the first sized file's (about 1.0 when
the build is linear in input size; the CPU-time ratio is the steadier one on a machine shared
with other work). Writes bench/results/big_files.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "xwlb-2023"
ASCII = {"。": ". ", "，": ", ", "；": "; ", "：": ": ", "！": "! ", "？": "? ", "、": ", "}


def items():
    """(title, paragraphs) of each corpus item, in file order."""
    files = sorted(CORPUS.glob("*.md"))
    if not files:
        sys.exit(f"no corpus under {CORPUS}")
    for f in files:
        text = f.read_text(encoding="utf-8")
        title = re.search(r'^title:\s*"?(.*?)"?\s*$', text, re.M)
        body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
        yield (title.group(1) if title else ""), [p.strip() for p in body.split("\n") if p.strip()]


def long_line(chars: int) -> str:
    """Paragraphs of the corpus joined into one line of ``chars`` characters."""
    parts, n = [], 0
    for _, paragraphs in items():
        for p in paragraphs:
            parts.append(p)
            n += len(p)
        if n >= chars:
            break
    return "".join(parts)[:chars]


def sized_file(megabytes: float) -> str:
    """Corpus items one after another until the text holds ``megabytes`` MB of UTF-8."""
    parts, size, goal = [], 0, megabytes * 1_000_000
    while size < goal:
        for title, paragraphs in items():
            item = "\n\n".join([title, *paragraphs]) + "\n\n"
            parts.append(item)
            size += len(item.encode("utf-8"))
            if size >= goal:
                break
    return "".join(parts)


def measure(path: Path, out: Path) -> dict:
    """Build ``path`` alone in a child process: seconds, peak RSS (MB), exit status."""
    cmd = [sys.executable, "-m", "kg", "build", str(path), "--out", str(out),
           "--workers", "1", "--no-validate", "-q"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    chars = len(path.read_text(encoding="utf-8"))
    cpu = usage.ru_utime + usage.ru_stime
    return {"file": path.name, "chars": chars, "bytes": path.stat().st_size,
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "chars_per_second": round(chars / seconds), "chars_per_cpu_second": round(chars / cpu),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "exit": os.waitstatus_to_exitcode(status),
            "stderr": err.strip()[-500:]}


def inputs(folder: Path, sizes: list[float], line_chars: int) -> list[Path]:
    line = long_line(line_chars)
    made = {"line.txt": line + "\n",
            "line-ascii.txt": "".join(ASCII.get(c, c) for c in line).rstrip() + "\n"}
    made.update({f"{s:g}mb.txt": sized_file(s) for s in sizes})
    for name, text in made.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in made]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,4,20", help="file sizes in MB, comma-separated")
    ap.add_argument("--line-chars", type=int, default=200_000)
    ap.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "big_files.json")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="kg-big-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for path in inputs(folder, sizes, args.line_chars):
            row = measure(path, Path(tmp) / f"build-{path.stem}")
            rows.append(row)
            print(f"{row['file']:>16}: {row['chars']:>9} chars {row['seconds']:>8.1f} s "
                  f"({row['cpu_seconds']:.1f} s CPU) {row['chars_per_second']:>7} chars/s "
                  f"{row['peak_rss_mb']:>6} MB exit {row['exit']}", file=sys.stderr)
    sized = [r for r in rows if r["file"].endswith("mb.txt")]
    for r in sized:  # about 1.0 when linear; CPU time is the steadier one on a shared machine
        r["ratio_chars_per_second_vs_first"] = round(r["chars_per_second"] / sized[0]["chars_per_second"], 2)
        r["ratio_chars_per_cpu_second_vs_first"] = round(
            r["chars_per_cpu_second"] / sized[0]["chars_per_cpu_second"], 2)
    result = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "corpus": str(CORPUS.relative_to(ROOT.parent)), "runs": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
