// The start page: find entities and sentences by name or words (/search, else /api/find),
// ask a canned question or any SPARQL query (/sparql) and page through the answer, with IRIs
// shown by name (/api/names) and linked to their entity pages.
"use strict";
const $ = (id) => document.getElementById(id);
const XSD = "http://www.w3.org/2001/XMLSchema#";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const answer = { vars: [], rows: [], truncated: false, page: 0 };

function pageUrl(path, iri, extra) {
  return path + "?" + new URLSearchParams({ iri, lang: LANG, ...(extra || {}) });
}

// A literal as a reader writes it: --10-29 (xsd:gMonthDay) is 10月29日 / Oct 29.
function literalText(term) {
  const m = term.datatype === XSD + "gMonthDay" && /^--(\d\d)-(\d\d)/.exec(term.value);
  if (!m || +m[1] < 1 || +m[1] > 12) return term.value;
  return LANG === "zh" ? `${+m[1]}月${+m[2]}日` : `${MONTHS[+m[1] - 1]} ${+m[2]}`;
}

async function namesFor(iris) {
  if (!iris.length) return {};
  try {
    const resp = await fetch("/api/names?lang=" + LANG, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ iris: [...new Set(iris)].slice(0, 2000) }),
    });
    return resp.ok ? (await resp.json()).names : {};
  } catch (err) {
    return {};
  }
}

function link(iri, names, path, extra) {
  const a = document.createElement("a");
  a.href = pageUrl(path || "/entity", iri, extra);
  a.textContent = names[iri] || iri;
  a.title = iri;
  return a;
}

function cell(term, names) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") td.appendChild(link(term.value, names));
  else {
    td.textContent = literalText(term);
    if (term["xml:lang"]) td.lang = term["xml:lang"];
  }
  return td;
}

async function showPage() {
  const size = +$("page-size").value, total = answer.rows.length;
  const last = Math.max(0, Math.ceil(total / size) - 1);
  answer.page = Math.min(Math.max(answer.page, 0), last);
  const start = answer.page * size, rows = answer.rows.slice(start, start + size);
  const iris = rows.flatMap((b) => answer.vars.map((v) => b[v]).filter((t) => t && t.type === "uri").map((t) => t.value));
  const names = await namesFor(iris);
  const table = document.createElement("table");
  table.id = "result-table";
  const head = table.createTHead().insertRow();
  answer.vars.forEach((v) => { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
  const body = table.createTBody();
  rows.forEach((b) => { const tr = body.insertRow(); answer.vars.forEach((v) => tr.appendChild(cell(b[v], names))); });
  $("results").replaceChildren(table);
  $("pager").hidden = false;
  $("page-info").textContent = `${total ? start + 1 : 0}–${start + rows.length} / ${total.toLocaleString()} ${STRINGS.rows}`;
  $("prev").disabled = answer.page === 0;
  $("next").disabled = answer.page >= last;
  $("truncated").hidden = !answer.truncated;
  $("status").textContent = total.toLocaleString() + " " + STRINGS.rows + (answer.truncated ? " — " + STRINGS.truncated : "");
}

function showText(text, isError) {
  const pre = document.createElement("pre");
  if (isError) pre.className = "error";
  pre.textContent = text;
  $("results").replaceChildren(pre);
  $("pager").hidden = true;
}

async function run() {
  $("status").textContent = STRINGS.running;
  $("results").textContent = STRINGS.running;
  $("results-box").scrollIntoView({ block: "start" });
  const text = $("query").value;
  const isGraph = /^\s*(?:(?:PREFIX|BASE)[^\n]*\n|#[^\n]*\n|\s)*(CONSTRUCT|DESCRIBE)/i.test(text);
  const resp = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded",
               "Accept": isGraph ? "text/turtle" : "application/sparql-results+json" },
    body: new URLSearchParams({ query: text }),
  });
  const body = await resp.text();
  if (!resp.ok) {
    $("status").textContent = STRINGS.error + " " + resp.status;
    return showText(body, true);
  }
  if (isGraph) { $("status").textContent = ""; return showText(body, false); }
  const doc = JSON.parse(body);
  if (doc.boolean !== undefined) { $("status").textContent = ""; return showText(String(doc.boolean), false); }
  Object.assign(answer, { vars: doc.head.vars, rows: doc.results.bindings, page: 0,
                          truncated: Boolean(resp.headers.get("X-KG-Truncated")) });
  await showPage();
  $("results-box").scrollIntoView({ block: "start" });
}

function pick(q) {
  $("query").value = q.query;
  $("question").textContent = q.question;
  $("questions").value = q.name;
}

async function loadCanned() {
  const list = await (await fetch("/api/queries?lang=" + LANG)).json();
  list.forEach((q) => {
    const opt = document.createElement("option");
    opt.value = q.name;
    opt.textContent = q.question || q.name;
    opt.title = q.name;
    $("questions").appendChild(opt);
  });
  $("questions").onchange = () => {
    const q = list.find((x) => x.name === $("questions").value);
    if (q) { history.replaceState(null, "", "#" + q.name); pick(q); run(); }
  };
  const chosen = list.find((q) => q.name === location.hash.slice(1));
  if (chosen) { pick(chosen); run(); }
}

// Text with every occurrence of the words in <mark>, built as DOM nodes (never as HTML).
function marked(text, words) {
  const span = document.createElement("span");
  const re = words.length ? new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g") : null;
  let last = 0;
  for (const m of re ? text.matchAll(re) : []) {
    span.append(text.slice(last, m.index));
    const mark = document.createElement("mark"); mark.textContent = m[0]; span.append(mark);
    last = m.index + m[0].length;
  }
  span.append(text.slice(last));
  return span;
}

async function fetchFound(q) {
  const params = new URLSearchParams({ q, format: "json", limit: "20" });
  try {
    const resp = await fetch("/search?" + params, { headers: { Accept: "application/json" } });
    if (resp.ok && (resp.headers.get("content-type") || "").includes("json")) return await resp.json();
  } catch (err) { /* no index: fall back */ }
  return await (await fetch("/api/find?" + params)).json();
}

function countText(doc, kind) {
  const n = (doc.total || {})[kind] ?? (doc[kind] || []).length;
  return "(" + n + ((doc.more || {})[kind] ? "+" : "") + ")";
}

async function search(q) {
  $("search-results").hidden = false;
  $("entity-list").textContent = STRINGS.running;
  const doc = await fetchFound(q);
  const ents = doc.entities || [], sents = doc.sentences || [];
  const names = await namesFor([...ents.flatMap((e) => e.types || []),
                                ...sents.map((s) => s.article || s.document).filter(Boolean)]);
  $("entity-count").textContent = countText(doc, "entities");
  $("sentence-count").textContent = countText(doc, "sentences");
  $("entity-list").replaceChildren(...ents.map((e) => {
    const li = document.createElement("li");
    li.appendChild(link(e.iri, { [e.iri]: e.name }));
    const kinds = [...new Set((e.types || []).map((t) => names[t]).filter(Boolean))];
    const aliases = (e.names || []).filter((n) => n !== e.name);
    const extra = [kinds.join(", "), aliases.join("、"), e.mentions ? e.mentions + " " + STRINGS.mentions : ""];
    li.append(" " + extra.filter(Boolean).join(" · "));
    return li;
  }));
  if (!ents.length) $("entity-list").textContent = STRINGS.no_match;
  $("sentence-list").replaceChildren(...sents.map((s) => {
    const li = document.createElement("li");
    li.className = "evidence";
    const quote = document.createElement("q"); quote.appendChild(marked(s.text, q.split(/\s+/).filter(Boolean)));
    li.appendChild(quote);
    const src = s.article || s.document;
    if (src) { li.append(" — "); li.appendChild(link(src, s.title ? { [src]: s.title } : names)); }
    if (s.date) li.append(" · " + s.date);
    if (s.evidence) { li.append(" · "); li.appendChild(link(s.evidence, { [s.evidence]: "¶" }, "/evidence", { q })); }
    return li;
  }));
  if (!sents.length) $("sentence-list").textContent = STRINGS.no_match;
}

$("run").onclick = run;
$("prev").onclick = () => { answer.page -= 1; showPage(); };
$("next").onclick = () => { answer.page += 1; showPage(); };
$("page-size").onchange = () => { answer.page = 0; showPage(); };
loadCanned();
const asked = new URLSearchParams(location.search).get("q");
if (asked) search(asked);
