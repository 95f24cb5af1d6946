// The query page: canned queries, run a query through /sparql, show a table with links.
"use strict";
const $ = (id) => document.getElementById(id);

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const a = document.createElement("a");
    a.href = "/entity?iri=" + encodeURIComponent(term.value) + "&lang=" + LANG;
    a.textContent = term.value.replace(/^.*[#/]([^#/]+)$/, "$1");
    a.title = term.value;
    td.appendChild(a);
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.lang = term["xml:lang"];
  }
  return td;
}

function showTable(doc, truncated) {
  const out = $("results");
  out.textContent = "";
  if (doc.boolean !== undefined) { out.textContent = String(doc.boolean); return; }
  const vars = doc.head.vars, rows = doc.results.bindings;
  const table = document.createElement("table");
  table.id = "result-table";
  const head = table.createTHead().insertRow();
  vars.forEach((v) => { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
  const body = table.createTBody();
  rows.forEach((b) => { const tr = body.insertRow(); vars.forEach((v) => tr.appendChild(cell(b[v]))); });
  out.appendChild(table);
  $("status").textContent = rows.length + " " + STRINGS.rows + (truncated ? " — " + STRINGS.truncated : "");
}

async function run() {
  $("status").textContent = STRINGS.running;
  const isGraph = /^\s*(?:(?:PREFIX|BASE)[^\n]*\n|#[^\n]*\n|\s)*(CONSTRUCT|DESCRIBE)/i.test($("query").value);
  const resp = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded",
               "Accept": isGraph ? "text/turtle" : "application/sparql-results+json" },
    body: new URLSearchParams({ query: $("query").value }),
  });
  const text = await resp.text();
  if (!resp.ok) {
    $("status").textContent = STRINGS.error + " " + resp.status;
    const pre = document.createElement("pre"); pre.className = "error"; pre.textContent = text;
    $("results").replaceChildren(pre);
    return;
  }
  if (isGraph) {
    const pre = document.createElement("pre"); pre.textContent = text;
    $("results").replaceChildren(pre); $("status").textContent = "";
    return;
  }
  showTable(JSON.parse(text), resp.headers.get("X-KG-Truncated"));
}

async function loadCanned() {
  const list = await (await fetch("/api/queries")).json();
  list.forEach((q) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "#" + q.name; a.className = "canned"; a.dataset.name = q.name;
    a.textContent = q.name;
    a.onclick = (ev) => { ev.preventDefault(); pick(q); run(); };
    li.appendChild(a);
    if (q.question) { const s = document.createElement("span"); s.textContent = " — " + q.question; li.appendChild(s); }
    $("canned-list").appendChild(li);
  });
  const wanted = location.hash.slice(1);
  const chosen = list.find((q) => q.name === wanted);
  if (chosen) { pick(chosen); run(); }
}

function pick(q) { $("query").value = q.query; $("question").textContent = q.question; }

$("run").onclick = run;
loadCanned();
