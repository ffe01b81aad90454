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

  // Links drawn for partnerships carry their ids; their tooltips are worded here.
  function edgeTitle(edge) {
    if (!edge.p || edge.title) return edge;
    var name = function (id) {
      var c = page.councils[id];
      if (c) return c.name;
      var p = String(id).indexOf("p:") === 0 ? page.partnerships[String(id).slice(2)] : null;
      return p ? p.name : String(id);
    };
    var hub = [edge.from, edge.to].filter(function (id) { return String(id).indexOf("p:") === 0; })[0];
    if (hub) {
      var member = hub === edge.from ? edge.to : edge.from;
      edge.title = name(member) + " – member of " + name(hub);
      return edge;
    }
    var services = {};
    edge.p.forEach(function (i) {
      var p = page.partnerships[page.partnershipIds[i]];
      (p ? p.services : []).forEach(function (s) { services[s] = true; });
    });
    var list = Object.keys(services).join(", ") || "service not reported";
    edge.title = name(edge.from) + " – " + name(edge.to) + "\n" + edge.p.length +
      (edge.p.length === 1 ? " partnership: " : " partnerships: ") + list;
    return edge;
  }
  // Partnerships' empty fields are left out of the page: read them as null.
  var OPTIONAL = ["lead", "start", "end", "notConfirmedSince", "savings", "savingsNote", "notes"];
  function fillPartnerships() {
    Object.keys(page.partnerships).forEach(function (id) {
      var p = page.partnerships[id];
      OPTIONAL.forEach(function (key) { if (p[key] === undefined) p[key] = null; });
    });
  }
  fillPartnerships();
  var nodes = new vis.DataSet(graph.nodes);
  var edges = new vis.DataSet(graph.edges.map(edgeTitle));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, graph.options);
  // vis-network's frame is the focusable element that takes the arrow and +/- keys: it
  // is what assistive technology meets, so it carries the label and the text summary.
  var frame = container.querySelector(".vis-network");
  frame.setAttribute("role", "img");
  frame.setAttribute("aria-roledescription", "network drawing");
  frame.setAttribute("aria-label", container.getAttribute("data-label"));
  frame.setAttribute("aria-describedby", "cg-summary");

  var state = {
    network: network, nodes: nodes, edges: edges, page: page,
    ready: false, readyAt: null, shown: null,
    edgeColourKey: JSON.stringify((graph.options.edges || {}).color),
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
  // A ring comes as its first point then the steps to each next point (views.py _outlines).
  function ringPoints(steps) {
    var points = [steps[0], steps[1]];
    for (var i = 2; i < steps.length; i += 2) {
      points.push(points[i - 2] + steps[i], points[i - 1] + steps[i + 1]);
    }
    return points;
  }
  state.ringPoints = ringPoints;
  var shapes = [];
  var hitContext = document.createElement("canvas").getContext("2d");
  function buildShapes() {
    shapes = [];
    if (!page.outlines) return;
    Object.keys(page.outlines).forEach(function (code) {
      var path = new Path2D();
      page.outlines[code].forEach(function (steps) {
        var ring = ringPoints(steps);
        path.moveTo(ring[0], ring[1]);
        for (var i = 2; i < ring.length; i += 2) {
          path.lineTo(ring[i], ring[i + 1]);
        }
        path.closePath();
      });
      shapes.push({ code: code, path: path, fill: page.shade[code] || page.noShade });
    });
  }
  buildShapes();
  if (page.outlines) {
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

  // The council whose outline holds a point (canvas units), shown in this selection.
  function councilAt(point) {
    for (var i = 0; i < shapes.length; i++) {
      if (page.councils[shapes[i].code] &&
          hitContext.isPointInPath(shapes[i].path, point.x, point.y)) return shapes[i].code;
    }
    return null;
  }
  state.councilAt = councilAt;

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
      centreOn(code);
    });
    return button;
  }

  function centreOn(id) {
    state.selected = id;
    if (!nodes.get(id)) { network.unselectAll(); network.redraw(); return; }
    network.selectNodes([id]);
    network.focus(id, { animation: false, scale: Math.max(network.getScale(), page.view === "map" ? 1.2 : 0.8) });
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
    if (popup.hidden) returnFocus = document.activeElement;
    popupTitle.textContent = title;
    while (popupBody.firstChild) popupBody.removeChild(popupBody.firstChild);
    setDocked(true);
    popup.scrollTop = 0;
  }

  function close() {
    setDocked(false);
    state.shown = null;
    state.selected = null;
    network.unselectAll();
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
      [["Borders", page.borders], ["Who to call", page.peers]].forEach(function (pair) {
        if (!pair[1] || !pair[1].length) return;
        popupBody.appendChild(el("h3", pair[0]));
        var list = el("ul", null, pair[0] === "Who to call" ? "cg-who-to-call" : null);
        pair[1].forEach(function (item) {
          var li = el("li");
          li.appendChild(partnerButton(item.code));
          if (item.reason) li.appendChild(document.createTextNode(" " + item.reason));
          (item.partnerships || []).forEach(function (id) {
            var p = page.partnerships[id];
            if (!p) return;
            var open = el("button", p.name, "cg-partnership-link");
            open.type = "button";
            open.setAttribute("data-partnership", id);
            open.addEventListener("click", function () { showPartnership(id); });
            li.appendChild(document.createTextNode(" "));
            li.appendChild(open);
          });
          if (item.govUkUrl && isWebLink(item.govUkUrl)) {
            var link = el("a", "GOV.UK page", "cg-front-door");
            link.href = item.govUkUrl;
            link.rel = "noopener noreferrer";
            li.appendChild(document.createTextNode(" "));
            li.appendChild(link);
          }
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
    if (!params.nodes.length) {
      // On the map a click anywhere in a council's area selects it, not just its dot.
      var code = shapes.length ? councilAt(params.pointer.canvas) : null;
      if (code) {
        if (nodes.get(code)) network.selectNodes([code]);
        state.selected = code;
        showCouncil(code);
      } else {
        state.selected = null;
      }
      network.redraw();
      return;
    }
    var id = String(params.nodes[0]);
    state.selected = id;
    if (page.councils[id]) showCouncil(id);
    else if (id.indexOf("p:") === 0) showPartnership(id.slice(2));
  });
  network.on("hoverNode", function (params) { state.hovered = String(params.node); });
  network.on("blurNode", function () { state.hovered = null; network.redraw(); });
  var returnFocus = null;
  document.getElementById("cg-popup-close").addEventListener("click", function () {
    close();
    if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !popup.hidden && !suggestionsOpen()) {
      close();
      if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
    }
  });


  // ---- names on the canvas: largest first, never overlapping ---------------------
  var LABEL_FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var widths = {};
  var LEADER_LABELS = 40;
  function weight(id) {
    var council = page.councils[id];
    if (council) return council.partnerships.length;
    var node = nodes.get(id);
    return node && !node.hub ? -1 : -2;
  }
  function partnersOf(id) {
    var council = page.councils[id];
    var found = {};
    if (council) {
      council.partnerships.forEach(function (pid) {
        var p = page.partnerships[pid];
        if (p) p.members.forEach(function (code) { if (code !== id) found[code] = true; });
      });
    } else if (String(id).indexOf("p:") === 0 && page.partnerships[String(id).slice(2)]) {
      page.partnerships[String(id).slice(2)].members.forEach(function (code) { found[code] = true; });
    }
    return found;
  }
  var order = [];
  function sortNodes() {
    order = nodes.get({ filter: function (n) { return !!n.name && !n.hub; } });
    order.sort(function (a, b) {
      return weight(b.id) - weight(a.id) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
  }
  sortNodes();
  function overlaps(box, boxes) {
    for (var i = 0; i < boxes.length; i++) {
      var o = boxes[i];
      if (box.x < o.x + o.w && o.x < box.x + box.w && box.y < o.y + o.h && o.y < box.y + box.h) return true;
    }
    return false;
  }
  network.on("afterDrawing", function (ctx) {
    var canvas = ctx.canvas;
    var ratio = canvas.width / (canvas.clientWidth || 1);
    var width = canvas.clientWidth, height = canvas.clientHeight;
    var scale = network.getScale();
    var focus = state.selected || state.hovered;
    var partners = focus ? partnersOf(focus) : {};
    var positions = network.getPositions();
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = LABEL_FONT;
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    // Partners of the selected (or hovered) council: a ring round each.
    if (focus) {
      ctx.strokeStyle = "#d9480f";
      ctx.lineWidth = 2.5;
      Object.keys(partners).concat([focus]).forEach(function (id) {
        var node = nodes.get(id);
        if (!node || !positions[id]) return;
        var p = network.canvasToDOM(positions[id]);
        ctx.beginPath();
        ctx.arc(p.x, p.y, (node.size || 8) * scale + 3, 0, 2 * Math.PI);
        ctx.stroke();
      });
    }
    var queue = [];
    if (focus && nodes.get(focus) && nodes.get(focus).name) queue.push(nodes.get(focus));
    order.forEach(function (n) { if (partners[n.id] && n.id !== focus) queue.push(n); });
    order.forEach(function (n) { if (!partners[n.id] && n.id !== focus) queue.push(n); });
    var placed = [];
    var boxes = [];
    var rank = 0;
    queue.forEach(function (node) {
      var pos = positions[node.id];
      if (!pos) return;
      var p = network.canvasToDOM(pos);
      var r = (node.size || 8) * scale + 2;
      if (p.x < -100 || p.y < -20 || p.x > width + 100 || p.y > height + 20) return;
      var w = widths[node.name];
      if (w === undefined) w = widths[node.name] = ctx.measureText(node.name).width;
      var h = 14;
      // Beside, below, above, then the corners, then a little further out.
      var candidates = [
        { x: p.x + r, y: p.y - h / 2 }, { x: p.x - r - w, y: p.y - h / 2 },
        { x: p.x - w / 2, y: p.y + r }, { x: p.x - w / 2, y: p.y - r - h },
        { x: p.x + r * 0.7, y: p.y + r * 0.7 }, { x: p.x + r * 0.7, y: p.y - r * 0.7 - h },
        { x: p.x - r * 0.7 - w, y: p.y + r * 0.7 }, { x: p.x - r * 0.7 - w, y: p.y - r * 0.7 - h },
        { x: p.x - w / 2, y: p.y + r + h }, { x: p.x - w / 2, y: p.y - r - 2 * h },
        { x: p.x + r, y: p.y + h / 2 }, { x: p.x + r, y: p.y - 1.5 * h },
        { x: p.x - r - w, y: p.y + h / 2 }, { x: p.x - r - w, y: p.y - 1.5 * h },
      ];
      var always = node.id === focus;
      // The most connected councils may sit further out, on a thin leader line.
      if (rank < LEADER_LABELS) {
        for (var ring = 1; ring <= 4; ring++) {
          for (var k = 0; k < 12; k++) {
            var angle = k * Math.PI / 6 + (ring % 2) * Math.PI / 12;
            var dx = Math.cos(angle) * (r + 14 * ring), dy = Math.sin(angle) * (r + 14 * ring);
            candidates.push({ x: p.x + dx - (dx < 0 ? w : 0), y: p.y + dy - h / 2, leader: true });
          }
        }
      }
      rank += 1;
      for (var i = 0; i < candidates.length; i++) {
        var box = { x: candidates[i].x, y: candidates[i].y, w: w, h: h };
        if (box.x < 0 || box.y < 0 || box.x + w > width || box.y + h > height) {
          if (!always) continue;
        }
        if (!always && overlaps(box, boxes)) continue;
        boxes.push(box);
        placed.push({ id: node.id, name: node.name, x: box.x, y: box.y, w: w, h: h });
        if (candidates[i].leader) {
          ctx.strokeStyle = "#495057";
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(p.x, p.y);
          ctx.lineTo(box.x + (box.x + w / 2 < p.x ? w : 0), box.y + h / 2);
          ctx.stroke();
        }
        ctx.lineWidth = 3;
        ctx.strokeStyle = "rgba(255,255,255,0.92)";
        ctx.strokeText(node.name, box.x, box.y + h / 2);
        ctx.fillStyle = node.id === focus ? "#000000" : "#212529";
        ctx.fillText(node.name, box.x, box.y + h / 2);
        break;
      }
    });
    ctx.restore();
    state.labels = placed;
  });

  // ---- a text summary of the canvas (for screen readers) ----------------------
  var summary = document.getElementById("cg-summary");
  function summarise() {
    var codes = Object.keys(page.councils);
    var top = codes.slice().sort(function (a, b) {
      return page.councils[b].partnerships.length - page.councils[a].partnerships.length;
    }).slice(0, 5).filter(function (c) { return page.councils[c].partnerships.length; });
    summary.textContent = document.getElementById("cg-subtitle").textContent + ". " +
      (top.length ? "Most partnerships: " + top.map(function (c) {
        return page.councils[c].name + " (" + page.councils[c].partnerships.length + ")";
      }).join(", ") + ". " : "") +
      "Use Find or the List view to open any council's or partnership's details.";
  }
  summarise();

  // ---- search: any form of a council's or partnership's name --------------------
  var search = document.getElementById("cg-search");
  var suggestions = document.getElementById("cg-suggestions");
  var active = -1;
  var matches = [];
  function normalise(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/&/g, " and ").replace(/[^a-z0-9]+/g, " ").trim();
  }
  var FILLER = { council: 1, borough: 1, district: 1, city: 1, county: 1, of: 1, the: 1, metropolitan: 1, royal: 1, london: 1 };
  function entries() {
    var list = [];
    Object.keys(page.councils).forEach(function (code) {
      list.push({ kind: "council", id: code, name: page.councils[code].name,
                  key: normalise(page.councils[code].name + " " + code),
                  rank: page.councils[code].partnerships.length });
    });
    Object.keys(page.partnerships).forEach(function (id) {
      list.push({ kind: "partnership", id: id, name: page.partnerships[id].name,
                  key: normalise(page.partnerships[id].name), rank: -1 });
    });
    return list;
  }
  function find(query) {
    var words = normalise(query).split(" ").filter(function (w) { return w && !FILLER[w]; });
    if (!words.length) return [];
    var found = entries().filter(function (entry) {
      var tokens = entry.key.split(" ");
      return words.every(function (w) {
        return tokens.some(function (t) { return t.indexOf(w) === 0; }) || entry.key.indexOf(w) >= 0;
      });
    });
    var q = normalise(query);
    found.sort(function (a, b) {
      var pa = a.key.indexOf(q) === 0 ? 0 : 1, pb = b.key.indexOf(q) === 0 ? 0 : 1;
      var ka = a.kind === "council" ? 0 : 1, kb = b.kind === "council" ? 0 : 1;
      return pa - pb || ka - kb || a.name.length - b.name.length || (a.name < b.name ? -1 : 1);
    });
    return found.slice(0, 8);
  }
  function suggestionsOpen() { return !suggestions.hidden; }
  function closeSuggestions() {
    suggestions.hidden = true;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(suggestions.children, function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) search.setAttribute("aria-activedescendant", "cg-suggestion-" + index);
    else search.removeAttribute("aria-activedescendant");
  }
  function choose(entry) {
    closeSuggestions();
    search.value = entry.name;
    if (entry.kind === "council") {
      showCouncil(entry.id);
      centreOn(entry.id);
    } else {
      showPartnership(entry.id);
      var hub = "p:" + entry.id;
      if (nodes.get(hub)) centreOn(hub);
      else {
        var members = page.partnerships[entry.id].members.filter(function (c) { return nodes.get(c); });
        if (members.length) { network.fit({ nodes: members, animation: false, maxZoomLevel: 1.5 }); }
        state.selected = "p:" + entry.id;
        network.redraw();
      }
    }
    popupTitle.focus();
  }
  search.addEventListener("input", function () {
    matches = find(search.value);
    while (suggestions.firstChild) suggestions.removeChild(suggestions.firstChild);
    matches.forEach(function (entry, i) {
      var li = el("li", null, "cg-suggestion");
      li.id = "cg-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.appendChild(el("span", entry.name));
      li.appendChild(el("small", entry.kind === "council" ? " council" : " partnership"));
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(entry); });
      suggestions.appendChild(li);
    });
    if (!matches.length && search.value.trim()) {
      suggestions.appendChild(el("li", "No council or partnership in this selection matches", "cg-none"));
    }
    var any = suggestions.children.length > 0;
    suggestions.hidden = !any;
    search.setAttribute("aria-expanded", any ? "true" : "false");
    highlight(-1);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && matches.length) {
      event.preventDefault(); highlight((active + 1) % matches.length);
    } else if (event.key === "ArrowUp" && matches.length) {
      event.preventDefault(); highlight((active - 1 + matches.length) % matches.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (matches.length) choose(matches[active >= 0 ? active : 0]);
    } else if (event.key === "Escape") {
      closeSuggestions();
    }
  });
  search.addEventListener("blur", function () {
    setTimeout(function () { if (document.activeElement !== search) closeSuggestions(); }, 150);
  });
  state.find = find;

  // ---- list view: the selection as sortable tables -----------------------------
  var list = document.getElementById("cg-list");
  var listToggle = document.getElementById("cg-list-toggle");
  var sorts = { councils: { key: 1, dir: -1 }, partnerships: { key: 0, dir: 1 } };
  function table(kind, caption, headings, rows, onOpen) {
    var t = el("table", null, "cg-table");
    t.appendChild(el("caption", caption));
    var head = el("thead");
    var tr = el("tr");
    var sort = sorts[kind];
    headings.forEach(function (heading, i) {
      var th = el("th");
      th.scope = "col";
      th.setAttribute("aria-sort", sort.key === i ? (sort.dir > 0 ? "ascending" : "descending") : "none");
      var button = el("button", heading, "cg-sort");
      button.type = "button";
      button.addEventListener("click", function () {
        sort.dir = sort.key === i ? -sort.dir : (typeof rows[0] !== "undefined" && typeof rows[0].cells[i] === "number" ? -1 : 1);
        sort.key = i;
        renderList();
        var again = list.querySelector("[data-kind=" + kind + "] th:nth-child(" + (i + 1) + ") button");
        if (again) again.focus();
      });
      th.appendChild(button);
      tr.appendChild(th);
    });
    head.appendChild(tr);
    t.appendChild(head);
    rows.sort(function (a, b) {
      var x = a.cells[sort.key], y = b.cells[sort.key];
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir || (a.cells[0] < b.cells[0] ? -1 : 1);
    });
    var body = el("tbody");
    rows.forEach(function (r) {
      var row = el("tr");
      row.tabIndex = 0;
      row.setAttribute("data-id", r.id);
      r.cells.forEach(function (cell, i) { row.appendChild(el(i === 0 ? "th" : "td", cell)); });
      row.firstChild.scope = "row";
      row.addEventListener("click", function () { onOpen(r.id); });
      row.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); onOpen(r.id); }
      });
      body.appendChild(row);
    });
    t.appendChild(body);
    var wrap = el("div", null, "cg-table-wrap");
    wrap.setAttribute("data-kind", kind);
    wrap.appendChild(t);
    return wrap;
  }
  function renderList() {
    while (list.firstChild) list.removeChild(list.firstChild);
    var heading = el("h2", "List view: " + document.getElementById("cg-title").textContent);
    heading.tabIndex = -1;
    list.appendChild(heading);
    list.appendChild(el("p", "Press Enter on a row (or click it) for its details.", "cg-meta"));
    var councils = Object.keys(page.councils).map(function (code) {
      var c = page.councils[code];
      return { id: code, cells: [c.name, c.partnerships.length, c.kind, c.region || ""] };
    });
    list.appendChild(table("councils", "Councils (" + councils.length + ")",
      ["Council", "Partnerships", "Kind", "Region"], councils, function (code) { showCouncil(code); popupTitle.focus(); }));
    var partnerships = Object.keys(page.partnerships).map(function (id) {
      var p = page.partnerships[id];
      return { id: id, cells: [p.name, p.members.length, p.statusLabel, p.services.join(", ") || "not reported", years(p)] };
    });
    list.appendChild(table("partnerships", "Partnerships (" + partnerships.length + ")",
      ["Partnership", "Members", "Status", "Services", "Years"], partnerships, function (id) { showPartnership(id); popupTitle.focus(); }));
  }
  function setList(show) {
    list.hidden = !show;
    listToggle.setAttribute("aria-expanded", show ? "true" : "false");
    listToggle.textContent = show ? "Map or network view" : "List view";
    if (page.view === "map") listToggle.textContent = show ? "Back to the map" : "List view";
    if (page.view !== "map" && show) listToggle.textContent = "Back to the drawing";
    document.body.classList.toggle("cg-list-open", show);
    if (show) {
      renderList();
      list.querySelector("h2").focus(); // screen readers hear where they are; Tab goes on to the tables
    }
    network.redraw();
  }
  listToggle.addEventListener("click", function () { setList(list.hidden); });
  state.setList = setList;

  // ---- downloads: what you see ----------------------------------------------------
  function download(name, href) {
    var a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }
  function fileStem() { return "council-graph-" + page.view + "-" + page.year; }
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text; // never a formula in a spreadsheet
    return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  document.getElementById("cg-download-png").addEventListener("click", function () {
    download(fileStem() + ".png", container.querySelector("canvas").toDataURL("image/png"));
  });
  document.getElementById("cg-download-csv").addEventListener("click", function () {
    var lines = [["code", "name", "kind", "region", "year", "partnerships", "partnership_names"].join(",")];
    Object.keys(page.councils).forEach(function (code) {
      var c = page.councils[code];
      lines.push([code, c.name, c.kind, c.region, page.year, c.partnerships.length,
        c.partnerships.map(function (id) { return page.partnerships[id].name; }).join("; ")].map(csvCell).join(","));
    });
    download(fileStem() + ".csv", URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" })));
  });
  document.getElementById("cg-download-geojson").addEventListener("click", function () {
    var features = Object.keys(page.councils).filter(function (code) {
      return page.councils[code].lat !== null && page.councils[code].lon !== null;
    }).map(function (code) {
      var c = page.councils[code];
      return { type: "Feature", geometry: { type: "Point", coordinates: [c.lon, c.lat] },
               properties: { code: code, name: c.name, kind: c.kind, region: c.region, year: page.year,
                             partnerships: c.partnerships.map(function (id) { return page.partnerships[id].name; }) } };
    });
    var text = JSON.stringify({ type: "FeatureCollection", features: features });
    download(fileStem() + ".geojson", URL.createObjectURL(new Blob([text], { type: "application/geo+json" })));
  });

  // ---- the year slider: redraw another year without a reload -------------------
  var slider = document.getElementById("cg-year");
  var yearOut = document.getElementById("cg-year-out");
  var play = document.getElementById("cg-play");
  var form = document.getElementById("cg-filters");
  state.updates = 0;
  function renderLegend(legend) {
    var body = document.getElementById("cg-legend-body");
    while (body.firstChild) body.removeChild(body.firstChild);
    legend.forEach(function (section) {
      body.appendChild(el("h3", section.heading));
      var ul = el("ul");
      section.items.forEach(function (item) {
        var li = el("li");
        var key = el("span", null, "cg-key cg-key-" + item.shape);
        key.style.setProperty("--key", item.colour);
        li.appendChild(key);
        li.appendChild(document.createTextNode(item.label));
        ul.appendChild(li);
      });
      body.appendChild(ul);
    });
  }
  function apply(update, started) {
    var keep = {};
    update.nodes.forEach(function (n) { keep[n.id] = true; });
    nodes.remove(nodes.getIds().filter(function (id) { return !keep[id]; }));
    nodes.update(update.nodes);
    Object.keys(update.page).forEach(function (key) { page[key] = update.page[key]; });
    fillPartnerships();
    edges.clear();
    // Re-styling every edge is costly: only when the default colour really changes.
    var colourKey = JSON.stringify(update.edgeColour);
    if (colourKey !== state.edgeColourKey) {
      network.setOptions({ edges: { color: update.edgeColour } });
      state.edgeColourKey = colourKey;
    }
    edges.add(update.edges.map(edgeTitle));
    buildShapes();
    sortNodes();
    document.getElementById("cg-title").textContent = update.title;
    document.title = update.title + " · Council Graph";
    document.getElementById("cg-subtitle").textContent = update.subtitle;
    frame.setAttribute("aria-label", update.title);
    var reference = document.getElementById("cg-reference");
    if (reference) reference.textContent = update.reference || "";
    renderLegend(update.legend);
    summarise();
    if (!list.hidden) renderList();
    var shown = state.shown;
    if (shown && shown.indexOf("p:") === 0 && page.partnerships[shown.slice(2)]) showPartnership(shown.slice(2));
    else if (shown && page.councils[shown]) showCouncil(shown);
    else if (shown) close();
    document.body.setAttribute("data-year", String(page.year));
    network.once("afterDrawing", function () {
      state.updates += 1;
      state.lastRedrawMs = performance.now() - started;
      document.body.setAttribute("data-updates", String(state.updates));
    });
    network.redraw();
  }
  var pending = null;
  var inFlight = false;
  var fetched = {}; // url -> promise of the year's update (the next year is fetched ahead)
  var fetchedOrder = [];
  function yearUrl(year) {
    var params = new URLSearchParams(new FormData(form));
    if (year !== undefined) params.set("year", String(year));
    return { url: location.pathname.replace(/\/$/, "") + ".json?" + params.toString(), query: params.toString() };
  }
  function getUpdate(url) {
    if (!fetched[url]) {
      fetched[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("The year could not be loaded (" + response.status + ")");
        return response.json();
      });
      fetched[url].catch(function () { delete fetched[url]; });
      fetchedOrder.push(url);
      if (fetchedOrder.length > 40) delete fetched[fetchedOrder.shift()];
    }
    return fetched[url];
  }
  function loadYear() {
    if (inFlight) { pending = true; return; }
    inFlight = true;
    pending = false;
    var started = performance.now();
    var target = yearUrl();
    history.replaceState(null, "", "?" + target.query);
    getUpdate(target.url).then(function (update) {
      apply(update, started);
      // Fetch the next year ahead while the user looks at this one (play steps forward).
      if (slider && Number(slider.value) < Number(slider.max)) getUpdate(yearUrl(Number(slider.value) + 1).url);
    }).catch(function (error) {
      document.getElementById("cg-subtitle").textContent = String(error.message || error);
    }).then(function () {
      inFlight = false;
      if (pending) loadYear();
    });
  }
  var timer = null;
  var playing = null;
  // A page saved as a file (councilgraph render) has no server to ask for another year.
  if (slider && !/^https?:$/.test(location.protocol)) {
    slider.disabled = true;
    play.disabled = true;
    var note = el("small", " Other years: open this view in the app (councilgraph serve).", "cg-meta");
    note.id = "cg-year-note";
    slider.parentNode.appendChild(note);
    slider.setAttribute("aria-describedby", "cg-year-out cg-year-note");
    slider = null;
  }
  // Once the slider (or Play) is first touched, fetch every year in the background, one at
  // a time and nearest first, so later moves redraw from memory.
  var warming = false;
  state.warmed = 0;
  function warmYears() {
    if (warming || !slider) return;
    warming = true;
    var from = Number(slider.value), years = [];
    for (var y = Number(slider.min); y <= Number(slider.max); y++) years.push(y);
    years.sort(function (a, b) { return Math.abs(a - from) - Math.abs(b - from) || b - a; });
    (function next() {
      if (!years.length) return;
      getUpdate(yearUrl(years.shift()).url).then(function () {
        state.warmed += 1;
      }, function () {}).then(next);
    })();
  }
  state.warmYears = warmYears;
  if (slider) {
    ["focus", "pointerdown"].forEach(function (type) {
      slider.addEventListener(type, warmYears);
      play.addEventListener(type, warmYears);
    });
    slider.setAttribute("aria-valuetext", slider.value);
    slider.addEventListener("input", function () {
      yearOut.textContent = slider.value;
      slider.setAttribute("aria-valuetext", slider.value);
      clearTimeout(timer);
      timer = setTimeout(loadYear, 60);
    });
    function stop() {
      clearInterval(playing);
      playing = null;
      play.textContent = "Play";
      play.setAttribute("aria-pressed", "false");
    }
    play.addEventListener("click", function () {
      if (playing) { stop(); return; }
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
      if (Number(slider.value) >= Number(slider.max)) slider.value = slider.min;
      else slider.value = String(Number(slider.value) + 1);
      slider.dispatchEvent(new Event("input"));
      playing = setInterval(function () {
        if (inFlight) return;
        if (Number(slider.value) >= Number(slider.max)) { stop(); return; }
        slider.value = String(Number(slider.value) + 1);
        slider.dispatchEvent(new Event("input"));
      }, 1200);
    });
  }
  state.loadYear = loadYear;

  // ---- phone: the legend starts folded ---------------------------------------------
  if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
    document.getElementById("cg-legend").open = false;
  }

  // The council view opens on its council (docked before the first fit).
  if (page.focus && page.councils[page.focus]) { state.selected = page.focus; showCouncil(page.focus); }
})();
