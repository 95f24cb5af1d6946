"""SHACL validation of a built graph with pySHACL, reported in plain words (zh and en).

    report = validate("build/")            # a folder, a file, or an rdflib Graph/Dataset
    report.conforms                        # False only when there are sh:Violation results
    print(report.text("both"))

Where the shapes and the ontology are found: ``shapes/*.ttl`` and ``ontology/*.ttl`` at the
top of the repository (a source checkout or an editable install), else the package data
``kg/data/shapes`` and ``kg/data/ontology`` (copied there when a wheel is built), found with
``importlib.resources``.  The ontology is passed as pySHACL's ``ont_graph`` (mixed into the
data graph, no inference by default) so ``sh:targetClass`` also reaches subclass instances.

Named graphs are validated together: a Dataset is flattened to the union of its graphs.
Warnings (``sh:Warning``) are reported but do not make ``conforms`` false.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.util import guess_format

from kg.errors import ValidationError
from kg.ns import PREFIXES, RDF, RDFS, SH

ROOT = Path(__file__).resolve().parent.parent
RDF_SUFFIXES = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt",
                ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml", ".n3": "n3"}
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
WORDS = {"zh": {"Violation": "违规", "Warning": "警告", "Info": "提示", "value": "值",
                "ok": "符合：没有违规。", "bad": "不符合", "summary": "{v} 个违规，{w} 个警告，{i} 个提示"},
         "en": {"Violation": "violation", "Warning": "warning", "Info": "info", "value": "value",
                "ok": "Conforms: no violations.", "bad": "Does not conform",
                "summary": "{v} violation(s), {w} warning(s), {i} info"}}


@dataclass
class Result:
    severity: str  # "Violation", "Warning" or "Info"
    focus: str  # the node that failed (IRI as a string)
    path: str | None  # the property, as a CURIE when it has a known prefix
    shape: str  # the shape that failed (kgsh:Post-heldBy), its node shape for anonymous ones
    message_zh: str
    message_en: str
    value: str | None = None
    constraint: str | None = None  # the SPARQL constraint (kgsh:Agreement-two-parties), if any
    focus_label: str = ""  # the zh name of the focus node, when the data gives one


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)  # the pySHACL report as RDF

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def exit_code(self) -> int:
        """0 conforms (warnings allowed), 1 violations; errors raise (the CLI exits 2)."""
        return 0 if self.conforms else 1

    def to_dict(self) -> dict:
        return {"conforms": self.conforms,
                "counts": {s: self.count(s) for s in ("Violation", "Warning", "Info")},
                "results": [dataclasses.asdict(r) for r in self.results]}

    def to_json(self) -> str:
        """The report as JSON: conforms, counts per severity, and the results (zh and en messages)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        """The SHACL validation report (sh:ValidationReport) as Turtle."""
        return self.graph.serialize(format="turtle")

    def render(self, fmt: str = "text", lang: str = "both") -> str:
        """``fmt`` "text" (in ``lang``), "ttl" or "json"."""
        if fmt == "text":
            return self.text(lang)
        if fmt == "ttl":
            return self.to_turtle()
        if fmt == "json":
            return self.to_json()
        raise ValueError(f"format must be 'text', 'ttl' or 'json', not {fmt!r}")

    def text(self, lang: str = "zh") -> str:
        """The report in plain words: ``lang`` is "zh", "en" or "both"."""
        langs = ["zh", "en"] if lang == "both" else [lang]
        if any(x not in WORDS for x in langs):
            raise ValueError(f"lang must be 'zh', 'en' or 'both', not {lang!r}")
        lines = []
        for x in langs:
            w = WORDS[x]
            head = w["ok"] if self.conforms else w["bad"]
            counts = w["summary"].format(v=self.count("Violation"), w=self.count("Warning"), i=self.count("Info"))
            lines.append(f"{head} ({counts})" if x == "en" else f"{head}（{counts}）")
        for r in self.results:
            for x in langs:
                lines.append(_line(r, x))
        return "\n".join(lines) + "\n"


def _line(r: Result, lang: str) -> str:
    w = WORDS[lang]
    who = f"{r.focus_label} <{r.focus}>" if r.focus_label else f"<{r.focus}>"
    where = f" {r.path}" if r.path else ""
    msg = r.message_zh if lang == "zh" else r.message_en
    value = f" ({w['value']}: {r.value})" if r.value is not None else ""
    return f"[{w[r.severity]}] {who}{where}: {msg}{value} [{r.constraint or r.shape}]"


# ------------------------------------------------------------------ locating shapes and ontology
def resource_dir(name: str) -> Path:
    """``shapes`` or ``ontology``: the repository folder, else the package data copy."""
    from .resources import project_dir

    found = project_dir(name, "*.ttl")
    if found:
        return found
    raise ValidationError(f"cannot find the {name}/ folder (looked in {ROOT / name} and kg/data/{name})",
                          hint=f"Run from a source checkout or install a wheel that ships kg/data/{name}.")


def _read_folder(folder: Path) -> Graph:
    g = Graph()
    for f in sorted(folder.glob("*.ttl")):
        _parse_into(g, f)
    return g


def shapes_graph(shapes=None) -> Graph:
    """The shapes: a Graph, a file or folder path, or None for the repository's shapes/."""
    if isinstance(shapes, Graph):
        return shapes
    return load_data(shapes) if shapes is not None else _read_folder(resource_dir("shapes"))


def ontology_graph() -> Graph:
    return _read_folder(resource_dir("ontology"))


# ------------------------------------------------------------------ loading data
#: suffixes read with pyoxigraph's parser (Rust, ~6x faster than rdflib's on a 100k-triple TriG)
OX_FORMATS = {".ttl": "TURTLE", ".trig": "TRIG", ".nq": "N_QUADS", ".nt": "N_TRIPLES",
              ".n3": "N3", ".rdf": "RDF_XML", ".owl": "RDF_XML"}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _parse_into(target: Graph | Dataset, f: Path) -> None:
    fmt = RDF_SUFFIXES.get(f.suffix.lower()) or guess_format(str(f))
    if fmt is None:
        raise ValidationError(f"{f.name}: not a known RDF file type", path=str(f))
    try:
        target.parse(f, format=fmt)
    except Exception as err:  # rdflib raises many types for bad input
        raise ValidationError(f"{f.name}: cannot read as {fmt}: {err}", path=str(f)) from err


def _triples_of(f: Path, n: int):
    """The triples of every graph in file ``f`` as rdflib terms, parsed by pyoxigraph.

    Blank nodes get the prefix ``f{n}_`` so that two files never share one by accident;
    literals typed xsd:string become plain literals, as rdflib's parsers make them.
    """
    import pyoxigraph as ox

    made: dict = {}

    def term(x):
        t = made.get(x)
        if t is None:
            if isinstance(x, ox.NamedNode):
                t = URIRef(x.value)
            elif isinstance(x, ox.BlankNode):
                t = BNode(f"f{n}_{x.value}")
            elif x.language:
                t = Literal(x.value, lang=x.language)
            else:
                dt = x.datatype.value
                t = Literal(x.value, datatype=None if dt == XSD_STRING else URIRef(dt))
            made[x] = t
        return t

    fmt = getattr(ox.RdfFormat, OX_FORMATS[f.suffix.lower()])
    try:
        for q in ox.parse(path=str(f), format=fmt):
            yield term(q.subject), term(q.predicate), term(q.object)
    except (SyntaxError, ValueError, OSError) as err:
        raise ValidationError(f"{f.name}: cannot read as {fmt}: {err}", path=str(f)) from err


def _union(ds: Graph) -> Graph:
    g = Graph()
    g.addN((s, p, o, g) for s, p, o, *_ in (ds.quads((None, None, None, None))
                                           if isinstance(ds, Dataset) else ds))
    return g


def _data_files(path: Path) -> list[Path]:
    if not path.exists():
        raise ValidationError(f"{path.name}: no such file or folder", path=str(path))
    files = [path] if path.is_file() else sorted(f for f in path.rglob("*")
                                                 if f.is_file() and f.suffix.lower() in RDF_SUFFIXES)
    if not files:
        raise ValidationError(f"{path.name}: no RDF files (.ttl, .trig, .nq, .nt, .jsonld)", path=str(path))
    return files


def load_data(data) -> Graph:
    """A Graph, Dataset, path (an RDF file, or a folder of them) or list of paths as one union Graph.

    A Graph is returned as it is; a Dataset and files give a new Graph (all named graphs merged).
    """
    if isinstance(data, Graph):
        return _union(data) if isinstance(data, Dataset) else data
    paths = [data] if isinstance(data, (str, Path)) else list(data)
    files = [f for p in paths for f in _data_files(Path(p))]
    g = Graph()
    for n, f in enumerate(files):
        if f.suffix.lower() in OX_FORMATS:
            g.addN((s, p, o, g) for s, p, o in _triples_of(f, n))
        else:
            ds = Dataset()
            _parse_into(ds, f)
            g.addN((s, p, o, g) for s, p, o, _ in ds.quads((None, None, None, None)))
    return g


# ------------------------------------------------------------------ validating
ENGINES = ("auto", "pyshacl", "turbo")


def validate(data, shapes=None, *, engine: str = "pyshacl", inference: str = "none") -> Report:
    """Validate ``data`` (Graph, Dataset, pyoxigraph Store, path or list of paths) against
    ``shapes`` (default: shapes/), the named graphs merged into one.

    ``shapes`` is a Graph, an RDF file or a folder of them (a user's own shapes work too).
    ``engine`` is "pyshacl", "turbo" (pyshacl-turbo, the ``kg[turbo]`` extra: the same report,
    several times faster; files and stores are handed to it natively, kg/validate_turbo.py) or
    "auto" (turbo when installed, else pyshacl).  ``inference`` is pySHACL's: "none", "rdfs",
    "owlrl", "both".  Raises ``ValidationError`` when the data or shapes cannot be read or used.
    """
    from . import validate_turbo

    if engine == "auto":
        engine = "turbo" if validate_turbo.available() else "pyshacl"
    sh_graph = shapes_graph(shapes)
    files = None if isinstance(data, Graph) or hasattr(data, "quads_for_pattern") else _files_of(data)
    if engine == "turbo" and validate_turbo.available() and not isinstance(data, Graph) and (
            files is None or all(f.suffix.lower() in OX_FORMATS for f in files)):
        text, labels = validate_turbo.native_input(data if files is None else files, _ontology_files())
        conforms, report_graph, message = validate_turbo.run(text, sh_graph, inference)
        label_of = labels.get
    else:
        run = _engine(engine)
        data_graph = _store_graph(data) if files is None and not isinstance(data, Graph) else load_data(
            data if files is None else files)
        # a graph read here is ours: the ontology is mixed into it instead of into a copy (saves a
        # clone of the whole data graph); a caller's Graph is left untouched
        ours = data_graph is not data
        conforms, report_graph, message = run(data_graph, shacl_graph=sh_graph, ont_graph=ontology_graph(),
                                              inference=inference, allow_warnings=True, inplace=ours)
        label_of = _labels_in(data_graph)
    if not isinstance(report_graph, Graph):  # pySHACL reports unusable shapes this way
        raise ValidationError(f"the shapes cannot be used: {message or report_graph}",
                              hint="Check the shapes with `pyshacl --metashacl`.")
    results = [_result(report_graph, sh_graph, label_of, node)
               for node in report_graph.subjects(RDF.type, SH.ValidationResult)]
    return Report(conforms=bool(conforms), results=sort_results(results), graph=bind(report_graph))


def sort_results(results: list[Result]) -> list[Result]:
    """Results in the report's order: violations first, then by shape, focus node, path, …."""
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(results, key=lambda r: (order[r.severity], r.shape, r.focus, r.path or "",
                                          r.value or "", r.message_en, r.message_zh))


def bind(graph: Graph) -> Graph:
    """``graph`` with the project's prefixes bound (for the Turtle of a report)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph


def _files_of(data) -> list[Path]:
    paths = [data] if isinstance(data, (str, Path)) else list(data)
    return [f for p in paths for f in _data_files(Path(p))]


def _ontology_files() -> list[Path]:
    return sorted(resource_dir("ontology").glob("*.ttl"))


def _store_graph(store) -> Graph:
    """The union of a pyoxigraph Store's graphs as an rdflib Graph (for the pyshacl engine)."""
    import tempfile

    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="kg-validate-") as tmp:
        path = Path(tmp) / "data.nq"
        ox.serialize(store.quads_for_pattern(None, None, None, None), output=str(path),
                     format=ox.RdfFormat.N_QUADS)
        return load_data(path)


def _labels_in(data: Graph):
    """The smallest zh rdfs:label of a node of ``data`` (the same choice as validate_turbo)."""
    def label_of(focus: str) -> str | None:
        found = [str(x) for x in data.objects(URIRef(focus), RDFS.label)
                 if isinstance(x, Literal) and (x.language or "").startswith("zh")]
        return min(found) if found else None
    return label_of


def _engine(name: str):
    """The ``validate`` function of an engine, imported on first use (both are slow to import)."""
    if name == "pyshacl":
        import pyshacl

        def run(*args, **kwargs):
            with _sparql_parsed_once():
                return pyshacl.validate(*args, **kwargs)
        return run
    if name == "turbo":
        try:
            import pyshacl_turbo
        except ImportError as err:
            raise ValidationError("the turbo engine needs pyshacl-turbo",
                                  hint="pip install 'kg[turbo]', or use engine='pyshacl'.") from err
        return pyshacl_turbo.validate
    raise ValidationError(f"unknown validation engine {name!r}",
                          hint=f"Use one of: {', '.join(ENGINES)}.")


_PARSE_LOCK = threading.Lock()


@contextlib.contextmanager
def _sparql_parsed_once():
    """While pySHACL validates, rdflib parses each SPARQL text once instead of once per focus node.

    pySHACL hands rdflib the text of a SPARQL constraint for every focus node, and rdflib parses
    it every time (~50 ms, against ~2 ms to evaluate it with ``$this`` bound).  The parsed and
    translated query is what ``rdflib.plugins.sparql.prepareQuery`` returns and is reusable with
    other initial bindings.  Validations run one at a time while the cache is installed.
    """
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.processor import SPARQLProcessor, translateQuery

    cache: dict = {}
    original = SPARQLProcessor.query

    def query(self, q, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(q, str):
            key = (q, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(q), base, initNs)
            q = cache[key]
        return original(self, q, initBindings, initNs, base, DEBUG)

    with _PARSE_LOCK:
        SPARQLProcessor.query = query
        try:
            yield
        finally:
            SPARQLProcessor.query = original


def _curie(g: Graph, node) -> str | None:
    """``prefix:local`` when ``node`` is in a namespace bound in ``g`` or kg.ns, else the IRI."""
    if node is None:
        return None
    text = str(node)
    if isinstance(node, URIRef):
        spaces = {**dict(g.namespaces()), **PREFIXES}
        for prefix, ns in sorted(spaces.items(), key=lambda kv: -len(str(kv[1]))):
            if prefix and text.startswith(str(ns)) and len(text) > len(str(ns)):
                return f"{prefix}:{text[len(str(ns)):]}"
    return text


def _path(g: Graph, node) -> str | None:
    """A SHACL property path in SPARQL syntax with CURIEs (``prov:wasDerivedFrom/oa:exact``)."""
    if not isinstance(node, BNode):
        return _curie(g, node)
    if g.value(node, RDF.first) is not None:
        return "/".join(_path(g, x) or "" for x in Collection(g, node))
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"),
                      (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = g.value(node, prop)
        if inner is not None:
            return fmt.format(_path(g, inner))
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(g, x) or "" for x in Collection(g, alternatives)) + ")"
    return str(node)


def _shape_name(sh_graph: Graph, shape) -> str:
    """The IRI of a shape; an anonymous property shape is named by its node shape."""
    if isinstance(shape, BNode):
        parent = next(sh_graph.subjects(SH.property, shape), None)
        if parent is not None:
            return _shape_name(sh_graph, parent)
    return _curie(sh_graph, shape) or ""


def _lang(message: Literal, templates: dict[str, str]) -> str | None:
    """The language of a message; pySHACL drops the tag when it fills {?var} in SPARQL messages,
    so a filled message is matched against the constraint's templates ({lang: text})."""
    if message.language:
        return message.language.split("-")[0]
    for lang, template in templates.items():
        parts = re.split(r"\{[?$]\w+\}", template)
        if re.fullmatch(".*?".join(map(re.escape, parts)), str(message), flags=re.S):
            return lang
    return "zh" if re.search(r"[\u4e00-\u9fff]", str(message)) else None


def _templates(sh_graph: Graph, *nodes) -> dict[str, str]:
    """The sh:message templates of a constraint or shape, by language."""
    return {m.language.split("-")[0]: str(m) for n in nodes if n is not None
            for m in sh_graph.objects(n, SH.message) if isinstance(m, Literal) and m.language}


def _result(rg: Graph, sh_graph: Graph, label_of, node) -> Result:
    constraint = rg.value(node, SH.sourceConstraint)
    templates = _templates(sh_graph, constraint, rg.value(node, SH.sourceShape))
    messages = {_lang(m, templates): str(m) for m in rg.objects(node, SH.resultMessage)
                if isinstance(m, Literal)}
    fallback = messages.get(None) or next(iter(messages.values()), "")
    focus = rg.value(node, SH.focusNode)
    value = rg.value(node, SH.value)
    label = label_of(str(focus)) or ""
    return Result(
        severity=SEVERITY.get(rg.value(node, SH.resultSeverity), "Violation"),
        focus=str(focus),
        path=_path(rg, rg.value(node, SH.resultPath)),
        shape=_shape_name(sh_graph, rg.value(node, SH.sourceShape)),
        message_zh=messages.get("zh", fallback),
        message_en=messages.get("en", fallback),
        value=str(value) if value is not None and value != focus else None,
        constraint=_curie(sh_graph, constraint) if isinstance(constraint, URIRef) else None,
        focus_label=label,
    )
