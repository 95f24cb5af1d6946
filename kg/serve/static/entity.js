// The entity page's network (vis-network, vendored in /static/vendor/): nodes are named
// entities, facts with one other party are edges labelled with the post or role and their
// sentence count. Click a node to open its page, an edge to read the sentences; drag, zoom.
"use strict";
(function () {
  const box = document.getElementById("network");
  const source = document.getElementById("network-data");
  if (!box || !source || typeof vis === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = { centre: "#ffd479", people: "#cfe3ff", bodies: "#d7f0d2", events: "#ffe0cc",
                    agreements: "#f3d4f5", places: "#e8e8e8", initiatives: "#d9f3f3",
                    posts: "#fff3b8", articles: "#eeeeee", others: "#f4f4f4" };
  const groups = {};
  Object.entries(colours).forEach(([name, colour]) => {
    groups[name] = { color: { background: colour, border: "#7a8a9a" } };
  });
  const nodes = new vis.DataSet(data.nodes);
  // Many edges: their labels show on hover only, or they hide the names.
  const quiet = data.edges.length > 16;
  const edges = new vis.DataSet(data.edges.map((e, i) => ({ id: i, ...e, label: quiet ? undefined : e.label })));
  const network = new vis.Network(box, { nodes, edges }, {
    groups,
    nodes: { shape: "box", margin: 8, font: { face: "Noto Sans CJK SC, sans-serif", size: 14 } },
    edges: { font: { size: 11, align: "middle", face: "Noto Sans CJK SC, sans-serif" },
             color: { color: "#9aa8b8" }, smooth: { type: "continuous" } },
    physics: { barnesHut: { gravitationalConstant: -6000, springLength: quiet ? 220 : 160, avoidOverlap: 0.5 },
               stabilization: { iterations: 400 } },
    interaction: { hover: true, dragNodes: true, dragView: true, zoomView: true },
  });
  network.once("stabilizationIterationsDone", () => { network.setOptions({ physics: false }); network.fit(); });
  network.on("click", (params) => {
    const centre = data.nodes[0] && data.nodes[0].id;
    if (params.nodes.length) {
      const node = nodes.get(params.nodes[0]);
      if (node && node.url && node.id !== centre) window.location.href = node.url;
    } else if (params.edges.length) {
      const edge = edges.get(params.edges[0]);
      if (edge && edge.url) window.location.href = edge.url;
    }
  });
  network.on("hoverNode", () => { box.style.cursor = "pointer"; });
  network.on("blurNode", () => { box.style.cursor = "default"; });
  window.kgNetwork = { network, nodes, edges };
})();
