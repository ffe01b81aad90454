/* Council Graph views: draws the network, the map outlines and the pop-ups.
 *
 * Every name, note and URL from the data reaches the page through the JSON
 * blocks above and is written with textContent or attribute setters only:
 * nothing from the data is ever parsed as HTML.
 */
(function () {
  "use strict";

  var graph = JSON.parse(document.getElementById("cg-graph").textContent);
  var page = JSON.parse(document.getElementById("cg-page").textContent);
  var container = document.getElementById("cg-network");
  var popup = document.getElementById("cg-popup");
  var popupTitle = document.getElementById("cg-popup-title");
  var popupBody = document.getElementById("cg-popup-body");

  var nodes = new vis.DataSet(graph.nodes);
  var edges = new vis.DataSet(graph.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, graph.options);

  var state = {
    network: network, nodes: nodes, edges: edges, page: page,
    ready: false, readyAt: null, shown: null,
  };
  window.network = network; // the name pyvis pages use, for notebooks and hand debugging
  window.councilGraph = state;

  // Frame the whole drawing once the page has its final size, then report ready.
  requestAnimationFrame(function () {
    network.once("afterDrawing", function () {
      state.ready = true;
      state.readyAt = performance.now();
      document.body.setAttribute("data-ready", "true");
    });
    network.fit({ animation: false, maxZoomLevel: page.view === "map" ? 1.5 : 1 });
  });

  // ---- map: council outlines under the network ------------------------------
  if (page.outlines) {
    var shapes = [];
    Object.keys(page.outlines).forEach(function (code) {
      var path = new Path2D();
      page.outlines[code].forEach(function (ring) {
        path.moveTo(ring[0], ring[1]);
        for (var i = 2; i < ring.length; i += 2) {
          path.lineTo(ring[i], ring[i + 1]);
        }
        path.closePath();
      });
      shapes.push({ path: path, fill: page.shade[code] || page.noShade });
    });
    network.on("beforeDrawing", function (ctx) {
      var scale = network.getScale();
      ctx.save();
      ctx.lineJoin = "round";
      ctx.lineWidth = 1 / scale;
      ctx.strokeStyle = "#ffffff";
      for (var i = 0; i < shapes.length; i++) {
        ctx.fillStyle = shapes[i].fill;
        ctx.fill(shapes[i].path);
        ctx.stroke(shapes[i].path);
      }
      ctx.restore();
    });
  }

  // ---- physics toggle -----------------------------------------------------------
  var physics = document.getElementById("cg-physics");
  if (physics) {
    physics.addEventListener("change", function () {
      network.setOptions({ physics: { enabled: physics.checked } });
    });
  }

  // ---- pop-ups ------------------------------------------------------------------
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function isWebLink(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:";
    } catch (e) {
      return false;
    }
  }

  function years(p) {
    // The server words the years with their basis ("since 2014 (first evidence)").
    if (p.years) return p.years;
    if (p.start === null && p.end === null) return "not reported";
    var end = p.end !== null ? String(p.end) : (p.status === "operational" ? "present" : "?");
    return (p.start !== null ? String(p.start) : "?") + " – " + end;
  }

  function row(dl, label, value) {
    dl.appendChild(el("dt", label));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    dl.appendChild(dd);
    return dd;
  }

  function partnerButton(code) {
    var council = page.councils[code];
    var button = el("button", council ? council.name : code, "cg-partner");
    button.type = "button";
    button.addEventListener("click", function () {
      if (!page.councils[code]) return;
      showCouncil(code);
      if (nodes.get(code)) {
        network.selectNodes([code]);
        network.focus(code, { animation: false, scale: Math.max(network.getScale(), 0.6) });
      }
    });
    return button;
  }

  function savings(p) {
    var span = el("span");
    if (p.savings !== null) {
      span.appendChild(el("strong", "£" + Number(p.savings).toLocaleString("en-GB") + " a year"));
      span.appendChild(document.createTextNode(" (as reported) "));
    } else {
      span.appendChild(document.createTextNode("No figure reported. "));
    }
    if (p.savings !== null || p.savingsNote) {
      span.appendChild(el("span", "Note: " + (p.savingsNote || page.savingsCaveat), "cg-note"));
    }
    return span;
  }

  function sources(p) {
    var list = el("ul");
    p.sources.forEach(function (source) {
      var item = el("li");
      if (isWebLink(source.url)) {
        var link = el("a", source.url);
        link.href = source.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        item.appendChild(link);
      } else {
        item.appendChild(el("span", source.url + " (not a web link)"));
      }
      if (source.date) item.appendChild(document.createTextNode(" (" + source.date + ")"));
      list.appendChild(item);
    });
    if (!p.sources.length) list.appendChild(el("li", "none recorded"));
    return list;
  }

  function partnershipArticle(id, fromCode) {
    var p = page.partnerships[id];
    var article = el("article", null, "cg-partnership");
    article.setAttribute("data-partnership", id);
    article.appendChild(el("h3", p.name));
    var dl = el("dl");
    var status = el("span", p.statusLabel, "cg-status");
    row(dl, "Status", status);
    row(dl, "Years", years(p));
    row(dl, "Services", p.services.length ? p.services.join(", ") : "not reported");
    var partners = el("span");
    p.members.forEach(function (code) {
      if (code !== fromCode) partners.appendChild(partnerButton(code));
    });
    if (!partners.childNodes.length) partners.textContent = "none";
    row(dl, fromCode ? "Partners" : "Members", partners);
    if (p.lead) row(dl, "Lead", page.councils[p.lead] ? page.councils[p.lead].name : p.lead);
    row(dl, "Savings", savings(p));
    if (p.notes) row(dl, "Notes", p.notes);
    row(dl, "Sources", sources(p));
    article.appendChild(dl);
    return article;
  }

  function setDocked(open) {
    if (document.body.classList.contains("cg-popup-open") === open) return;
    popup.hidden = !open;
    document.body.classList.toggle("cg-popup-open", open);
    network.redraw(); // the canvas changed width
  }

  function open(title) {
    popupTitle.textContent = title;
    while (popupBody.firstChild) popupBody.removeChild(popupBody.firstChild);
    setDocked(true);
    popup.scrollTop = 0;
  }

  function close() {
    setDocked(false);
    state.shown = null;
  }

  function showCouncil(code) {
    var council = page.councils[code];
    if (!council) return;
    open(council.name);
    state.shown = code;
    popup.setAttribute("data-council", code);
    var count = council.partnerships.length;
    popupBody.appendChild(el("p",
      council.kind + (council.region ? " · " + council.region : "") + " · " + count +
      (count === 1 ? " partnership" : " partnerships") + " in this selection (" + page.year + ")",
      "cg-meta"));
    if (!count) popupBody.appendChild(el("p", "No partnership in this selection: a singleton."));
    council.partnerships.forEach(function (id) {
      popupBody.appendChild(partnershipArticle(id, code));
    });
    if (page.focus === code) {
      [["Borders", page.borders], ["Top peers", page.peers]].forEach(function (pair) {
        if (!pair[1] || !pair[1].length) return;
        popupBody.appendChild(el("h3", pair[0]));
        var list = el("ul");
        pair[1].forEach(function (item) {
          var li = el("li");
          li.appendChild(partnerButton(item.code));
          if (item.reason) li.appendChild(document.createTextNode(" " + item.reason));
          list.appendChild(li);
        });
        popupBody.appendChild(list);
      });
    }
  }

  function showPartnership(id) {
    var p = page.partnerships[id];
    if (!p) return;
    open(p.name);
    state.shown = "p:" + id;
    popup.removeAttribute("data-council");
    popupBody.appendChild(partnershipArticle(id, null));
  }

  state.showCouncil = showCouncil;
  state.showPartnership = showPartnership;

  network.on("click", function (params) {
    if (!params.nodes.length) return;
    var id = String(params.nodes[0]);
    if (page.councils[id]) showCouncil(id);
    else if (id.indexOf("p:") === 0) showPartnership(id.slice(2));
  });
  document.getElementById("cg-popup-close").addEventListener("click", close);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });

  // The council view opens on its council (docked before the first fit).
  if (page.focus && page.councils[page.focus]) showCouncil(page.focus);
})();
