// The interactive page of graph/viz.py. DATA (defined just before this script) holds every
// place and tie of the selection; the vis DataSets hold only what is drawn. Text from the data
// reaches the page only through textContent, option values and vis titles (set as text).
const STARTED = performance.now();  // after the data is parsed
const LETTERS = { "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "ß": "ss" };
const fold = (s) => s.toLowerCase().replace(/[łøđðþæœıħß]/g, (c) => LETTERS[c])
  .normalize("NFD").replace(/\p{M}/gu, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
const $ = (id) => document.getElementById(id);
function el(tag, text, className) {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}
const number = (n) => n.toLocaleString("en");

const SOURCES = new Map(Object.entries(DATA.sources));
const PLACES = new Map(DATA.nodes.map((n) => [n.id, n]));
const TIES = DATA.edges;
for (const e of TIES) {  // fields the page leaves out when empty
  e.areas = e.areas || [];
  e.since = e.since || null;
  e.until = e.until || null;
  e.begun = e.begun === undefined ? null : e.begun;
}
const sourcesLine = (ids) => "sources: " + ids.map((s) => SOURCES.get(s) || s).join("; ");
const TIES_OF = new Map();
for (const e of TIES) {
  for (const p of [e.from, e.to]) {
    if (!TIES_OF.has(p)) TIES_OF.set(p, []);
    TIES_OF.get(p).push(e);
  }
}
const CLUSTERS = DATA.clusters ? new Map(DATA.clusters.map((c) => [c.code, c])) : null;
const clusterId = (p) => "country:" + (PLACES.get(p).country || "?");
const DATED = TIES.filter((e) => e.kind !== "visit" && e.begun !== null).map((e) => e.begun);
const YEARS = DATED.length ? { min: Math.min(...DATED), max: Math.max(...DATED) } : null;
const state = { country: "", area: "", kind: "", year: null, open: new Set(), selected: null };
const nodes = new vis.DataSet();
const edges = new vis.DataSet();
const applied = { nodes: new Map(), edges: new Map() };
let network = null;
let current = null;

function tieOK(e, withYear = true) {
  if (state.kind ? e.kind !== state.kind : false) return false;
  if (state.area && !e.areas.includes(state.area)) return false;
  if (withYear && state.year !== null && (e.begun === null || e.begun > state.year)) return false;
  return true;
}

// The selection the filters make, whatever is drawn: its places, ties, and undated ties.
function selection() {
  const filtered = state.kind || state.area || state.year !== null;
  const ties = TIES.filter((e) => tieOK(e));
  let places;
  if (filtered) {
    places = new Set();
    for (const e of ties) {
      if (e.kind !== "visit" || state.kind === "visit") { places.add(e.from); places.add(e.to); }
    }
  } else {
    places = new Set(PLACES.keys());
  }
  if (state.country) {
    for (const p of places) if (PLACES.get(p).country !== state.country) places.delete(p);
  }
  const shown = ties.filter((e) => places.has(e.from) && places.has(e.to));
  const undated = TIES.filter((e) => e.kind !== "visit" && e.begun === null && tieOK(e, false) &&
    (!state.country || (PLACES.get(e.from).country === state.country &&
                        PLACES.get(e.to).country === state.country))).length;
  return { places, ties: shown, tieSet: new Set(shown),
           tieCount: shown.filter((e) => e.kind !== "visit").length, undated };
}

function partnersOf(id, sel) {
  const partners = new Set();
  for (const e of TIES_OF.get(id) || []) {
    if (sel.tieSet.has(e)) partners.add(e.from === id ? e.to : e.from);
  }
  return partners;
}

// Only changed items go to vis: each drawn item keeps the signature of its last style.
function apply(dataset, memo, wanted) {
  const remove = [];
  for (const id of memo.keys()) if (!wanted.has(id)) remove.push(id);
  for (const id of remove) memo.delete(id);
  const put = [];
  for (const [id, [signature, make]] of wanted) {
    if (memo.get(id) !== signature) { put.push(make()); memo.set(id, signature); }
  }
  if (remove.length) dataset.remove(remove);
  if (put.length) dataset.update(put);
}

const DIM = { background: "#e4e4e4", border: "#d2d2d2" };

function placeItem(n, mode) {
  const item = { id: n.id, label: n.label, title: `${n.title}\n${sourcesLine(n.sources)}`,
                 value: n.value, country: n.country, kind: n.kind, highlight: mode === "selected" || mode === "partner",
                 color: mode === "dim" ? DIM : n.color, borderWidth: mode === "selected" ? 5 : 1,
                 font: { color: mode === "dim" ? "#b8b8b8" : "#343434" } };
  if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
  return item;
}

function tieItem(e, mode) {
  const item = { id: e.id, from: e.from, to: e.to, title: `${e.title}\n${sourcesLine(e.sources)}`,
                 kind: e.kind, status: e.status,
                 dashes: e.dashes, highlight: mode === "highlight",
                 width: mode === "highlight" ? e.width + 2 : e.width,
                 color: mode === "dim" ? { color: "#cccccc", opacity: 0.25 }
                   : { color: e.color.color, opacity: mode === "highlight" ? 1 : e.color.opacity } };
  if (e.arrows) item.arrows = e.arrows;
  return item;
}

function refresh() {
  const sel = selection();
  current = sel;
  const chosen = state.selected;
  const partners = chosen ? partnersOf(chosen, sel) : new Set();
  let drawn = sel.places;
  if (CLUSTERS) {
    drawn = new Set();
    for (const p of sel.places) if (state.open.has(PLACES.get(p).country || "")) drawn.add(p);
    for (const p of partners) drawn.add(p);
  }
  if (chosen && !drawn.has(chosen)) drawn = new Set([...drawn, chosen]);
  const wantedNodes = new Map();
  for (const p of drawn) {
    const mode = !chosen ? "plain" : p === chosen ? "selected" : partners.has(p) ? "partner" : "dim";
    wantedNodes.set(p, [mode, () => placeItem(PLACES.get(p), mode)]);
  }
  const wantedEdges = new Map();
  const pairs = new Map();
  const inside = new Map();
  for (const e of sel.ties) {
    const a = drawn.has(e.from) ? e.from : clusterId(e.from);
    const b = drawn.has(e.to) ? e.to : clusterId(e.to);
    if (a === e.from && b === e.to) {
      const mode = !chosen ? "plain" : (e.from === chosen || e.to === chosen) ? "highlight" : "dim";
      wantedEdges.set(e.id, [mode, () => tieItem(e, mode)]);
    } else if (a === b) {
      inside.set(a, (inside.get(a) || 0) + 1);
    } else {
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      const pair = pairs.get(key) || { from: a < b ? a : b, to: a < b ? b : a, ties: 0 };
      pair.ties += 1;
      pairs.set(key, pair);
    }
  }
  if (CLUSTERS) {
    const counts = new Map();
    for (const p of sel.places) {
      const code = PLACES.get(p).country || "";
      if (!state.open.has(code)) counts.set(code, (counts.get(code) || 0) + 1);
    }
    for (const [code, count] of counts) {
      const c = CLUSTERS.get(code);
      const ties = inside.get(c.id) || 0;
      const mode = `${chosen ? "dim" : "plain"}:${count}:${ties}`;
      wantedNodes.set(c.id, [mode, () => ({
        id: c.id, label: `${c.name} (${number(count)})`, cluster: true, code, highlight: false,
        title: `${c.name}: ${number(count)} places, ${number(ties)} ties among them\nclick to draw its places`,
        x: c.x, y: c.y, value: count, borderWidth: 2, shape: "dot",
        color: chosen ? DIM : { background: c.color, border: c.color },
        font: { color: chosen ? "#b8b8b8" : "#222222", size: 14 } })]);
    }
    const nameOf = (id) => id.startsWith("country:")
      ? CLUSTERS.get(id.slice(8) === "?" ? "" : id.slice(8)).name : PLACES.get(id).label;
    for (const [key, pair] of pairs) {
      const mode = `${chosen ? "dim" : "plain"}:${pair.ties}`;
      wantedEdges.set("pair:" + key, [mode, () => ({
        id: "pair:" + key, from: pair.from, to: pair.to, kind: "country-pair", aggregate: true,
        ties: pair.ties, highlight: false, dashes: false,
        title: `${nameOf(pair.from)} – ${nameOf(pair.to)}: ${number(pair.ties)} ties`,
        width: Math.min(1 + Math.log2(pair.ties), 10),
        color: chosen ? { color: "#cccccc", opacity: 0.2 } : { color: "#6b7c8f", opacity: 0.35 } })]);
    }
  }
  apply(nodes, applied.nodes, wantedNodes);
  apply(edges, applied.edges, wantedEdges);
  $("count").textContent = `${number(sel.places.size)} places, ${number(sel.tieCount)} ties`;
  $("count").dataset.places = sel.places.size;
  $("count").dataset.ties = sel.tieCount;
  $("undated").dataset.ties = sel.undated;
  $("undated").textContent = !sel.undated ? ""
    : state.year === null ? `(${number(sel.undated)} of them with unknown start dates)`
    : `(${number(sel.undated)} ties with unknown start dates not shown)`;
  $("collapse").hidden = !(CLUSTERS && state.open.size);
  if (network) panel();
  return sel;
}

function dates(e) {
  if (!e.since && !e.until) return "dates unknown";
  const open = e.status === "ended" ? "end unknown" : "now";  // an ended tie has not gone on
  return `${e.since || "?"} – ${e.until || open}`;
}

function coverageText(place) {
  const c = place.coverage;
  if (!c) return ["no", "Not known to be complete: these are the ties in the data."];
  const by = c.sources.map((s) => SOURCES.get(s) || s).join("; ");
  const notes = c.notes ? ` ${c.notes}` : "";
  if (c.complete) return ["yes", `Complete as of ${c.as_of} (per ${by}).${notes}`];
  return ["no", `Not known to be complete: incomplete as of ${c.as_of} (per ${by}).${notes}`];
}

function panel() {
  const box = $("place");
  box.replaceChildren();
  const id = state.selected;
  box.hidden = !id;
  if (!id) return;
  const place = PLACES.get(id);
  const head = el("div", undefined, "head");
  head.append(el("h2", place.label));
  const close = el("button", "×", "close");
  close.type = "button";
  close.title = "Clear the selection";
  close.addEventListener("click", () => select(null));
  head.append(close);
  box.append(head);
  box.append(el("p", `${place.country || "country unknown"}, ${place.kind}`, "where"));
  const [complete, text] = coverageText(place);
  const coverage = el("p", text, "coverage");
  coverage.dataset.complete = complete;
  box.append(coverage);
  const all = (TIES_OF.get(id) || []).filter((e) => e.kind !== "visit");
  const shown = all.filter((e) => current.tieSet.has(e));
  const hidden = all.length - shown.length;
  box.append(el("p", `${number(shown.length)} ${shown.length === 1 ? "tie" : "ties"}` +
    (hidden ? `; ${number(hidden)} more not shown by the filters` : ""), "ties"));
  const list = el("ol", undefined, "partners");
  const partner = (e) => PLACES.get(e.from === id ? e.to : e.from);
  shown.sort((a, b) => (a.begun === null) - (b.begun === null) || (a.begun || 0) - (b.begun || 0) ||
    partner(a).label.localeCompare(partner(b).label));
  for (const e of shown) {
    const other = partner(e);
    const item = el("li");
    item.dataset.tie = e.id;
    const open = el("button", other.label, "partner");
    open.type = "button";
    open.dataset.place = other.id;
    open.addEventListener("click", () => select(other.id));
    item.append(open, el("span", ` ${other.country || "?"}`, "cc"));
    item.append(el("div", `${e.kind}, ${e.status}, ${dates(e)}`, "what"));
    item.append(el("div", sourcesLine(e.sources), "sources"));
    list.append(item);
  }
  box.append(list);
}

function setHash(id) {
  const wanted = id ? "#place=" + encodeURIComponent(id) : "";
  if (location.hash === wanted || (!wanted && !location.hash)) return;
  try {
    history.replaceState(null, "", wanted || location.pathname + location.search);
  } catch (error) { /* a page opened from a file may refuse: the selection stands anyway */ }
}

function select(id, focus = true) {
  if (id !== null && !PLACES.has(id)) return false;
  state.selected = id;
  refresh();
  setHash(id);
  if (id === null) { network.unselectAll(); return true; }
  network.selectNodes([id], false);
  if (focus) {
    const near = [id, ...partnersOf(id, current)];
    if (near.length > 1) network.fit({ nodes: near, animation: false });
    else network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
  }
  return true;
}

function openCountry(code) {
  if (!CLUSTERS || !CLUSTERS.has(code)) return false;
  state.open.add(code);
  refresh();
  const inside = [...current.places].filter((p) => (PLACES.get(p).country || "") === code);
  if (inside.length) network.fit({ nodes: inside, animation: false });
  return true;
}

function closeCountries() {
  state.open.clear();
  refresh();
  network.fit({ animation: false });
}

let folded = null;
function find() {
  const query = fold($("search").value);
  const found = $("found");
  if (!query) { found.textContent = ""; return; }
  if (!folded) {
    folded = DATA.nodes.map((n) => [n, [n.label, ...n.names].map(fold), fold(n.label)]);
  }
  const shown = current.places;
  const candidates = folded.filter(([n, names]) => names.some((name) => name.includes(query)));
  candidates.sort((a, b) => (b[2] === query) - (a[2] === query) ||
    shown.has(b[0].id) - shown.has(a[0].id));
  if (!candidates.length) { found.textContent = "no place matches"; return; }
  const hit = candidates[0][0];
  select(hit.id);
  found.textContent = `${hit.label} (${hit.country})`;
}

function fromHash() {
  const match = /^#place=(.*)$/s.exec(location.hash);
  if (!match) return;
  let id;
  try { id = decodeURIComponent(match[1]); } catch (error) { id = match[1]; }
  if (id === state.selected) return;
  if (!select(id)) $("found").textContent = `no place has the id “${id}”`;
}

function fill(id, values) {
  const box = $(id);
  for (const v of values) {
    const option = document.createElement("option");
    option.value = typeof v === "string" ? v : v.id;
    option.textContent = typeof v === "string" ? v : v.label;
    box.appendChild(option);
  }
  box.addEventListener("change", () => { state[id] = box.value; refresh(); });
}
fill("country", DATA.countries);
fill("area", DATA.areas);
fill("kind", DATA.kinds);

const slider = $("year");
function showYear() {
  $("yearText").textContent = state.year === null ? "all years" : `begun by ${state.year}`;
}
if (YEARS) {
  slider.min = YEARS.min;
  slider.max = YEARS.max + 1;
  slider.value = YEARS.max + 1;
  let pending = false;
  slider.addEventListener("input", () => {
    const value = Number(slider.value);
    state.year = value > YEARS.max ? null : value;
    showYear();
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; refresh(); });
    }
  });
  showYear();
} else {
  slider.disabled = true;
  $("yearText").textContent = "no tie has a known start date";
}
function setYear(year) {
  state.year = year === null || !YEARS || year > YEARS.max ? null : year;
  if (YEARS) slider.value = state.year === null ? YEARS.max + 1 : Math.max(year, YEARS.min);
  showYear();
  return refresh();
}

refresh();

const OUTLINES = DATA.outlines ? (() => {
  const path = new Path2D();
  for (const ring of DATA.outlines) {
    path.moveTo(ring[0], ring[1]);
    for (let i = 2; i < ring.length; i += 2) path.lineTo(ring[i], ring[i + 1]);
    path.closePath();
  }
  return path;
})() : null;
const big = DATA.nodes.length > PHYSICS_LIMIT;
network = new vis.Network($("graph"), { nodes, edges }, {
  physics: DATA.physics ? { stabilization: { iterations: 250 }, barnesHut: { springLength: 120 } } : false,
  // The world view hides its lines while it moves (level of detail): see bench/viz_world.py.
  interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: !!CLUSTERS,
                 hideEdgesOnZoom: !!CLUSTERS },
  // The world view draws a label once it is readable (12 px): labels were most of its frame.
  nodes: { shape: "dot", font: { size: 12 },
           scaling: { min: 6, max: 40,
                      label: { enabled: true, min: 10, max: 26, drawThreshold: CLUSTERS ? 12 : 5 } } },
  edges: { smooth: false },
  layout: { improvedLayout: !big },
});
const map = { rings: DATA.outlines ? DATA.outlines.length : 0, drawn: 0 };
if (OUTLINES) {
  network.on("beforeDrawing", (ctx) => {
    ctx.save();
    ctx.fillStyle = "#efece3";
    ctx.strokeStyle = "#b9b2a1";
    ctx.lineWidth = 1 / network.getScale();
    ctx.fill(OUTLINES);
    ctx.stroke(OUTLINES);
    ctx.restore();
    map.drawn += 1;
  });
}
network.on("click", (params) => {
  const hit = params.nodes[0];
  if (hit === undefined) {
    if (!params.edges.length && state.selected) select(null);
    return;
  }
  const item = nodes.get(hit);
  if (item && item.cluster) openCountry(item.code);
  else select(hit, false);
});
$("go").addEventListener("click", find);
$("search").addEventListener("keydown", (e) => { if (e.key === "Enter") find(); });
$("collapse").addEventListener("click", closeCountries);
window.addEventListener("hashchange", fromHash);
window.sisterCities = { network, nodes, edges, nodeView: nodes, edgeView: edges, find, refresh,
                        select, open: openCountry, close: closeCountries, setYear, state, map,
                        years: YEARS, selection: () => current, ready: false };
const BUILT = performance.now();
network.once("afterDrawing", () => {
  window.sisterCities.timings = { script: STARTED, built: BUILT, drawn: performance.now() };
  window.sisterCities.ready = true;
});
fromHash();
