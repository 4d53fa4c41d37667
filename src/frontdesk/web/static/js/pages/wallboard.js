// The wallboard: follows /api/v1/stream/supervisor and draws every view it sends — a tile
// per queue (coloured by the tenant's levels), the agents with their state and contacts,
// and the live line of one queue. Supervisors force an agent's state from here; admins
// set the colour levels. Shortcuts: T — TV mode, Esc — leave it, 1–9 — show a queue's line.
import { get, post, put } from "../api.js";
import { now, secondsSince, serverNow, tick } from "../clock.js";
import { context } from "../context.js";
import { $, fill, h } from "../dom.js";
import { bindForm, clearErrors } from "../forms.js";
import { fmt, t } from "../i18n.js";
import { Stream } from "../stream.js";
import { notify } from "../toast.js";
import { AGENT_STATES, CHANNELS, localName } from "../vocabulary.js";

const page = JSON.parse($("#wallboard-data").textContent);
const IN_LINE = new Set(["queued", "offered"]);
// Agents at work first, then those who could be, then the rest.
const STATE_ORDER = ["reserved", "busy", "wrap_up", "ready", "not_ready", "logged_out"];
const LEVEL_NAMES = { warn: t("Warning"), alarm: t("Alarm") };
// Reasons the service sets by itself, named when the tenant has not named them.
const SYSTEM_REASONS = { rejected: t("Declined an offer"), no_answer: t("Missed an offer") };
const STORE = { queue: "frontdesk.wallboard.queue", hide: "frontdesk.wallboard.hide-logged-out" };

let view = null;
let levels = page.levels;
let reasons = page.reasons;
let categories = page.categories;
let chosen = localStorage.getItem(STORE.queue) || "";
const customers = new Map(); // customer id → {name, category, vip}, or null while asked for

const tilesBox = $("[data-tiles]");
const agentsBody = $("[data-agents]");
const countsList = $("[data-agent-counts]");
const lineBody = $("[data-line]");
const lineQueue = $("[data-line-queue]");
const hideLoggedOut = $("[data-hide-logged-out]");
const tiles = new Map(); // queue → {root, parts}
const rows = new Map(); // agent → {root, cells}

// --- colour levels ------------------------------------------------------------------------

/** "ok", "warn" or "alarm" for a figure's value; null when there is nothing to judge. */
function levelOf(name, value) {
  const level = levels[name];
  if (value === null || value === undefined || !level) return null;
  if (level.less_is_worse) return value < level.alarm ? "alarm" : value < level.warn ? "warn" : "ok";
  return value >= level.alarm ? "alarm" : value >= level.warn ? "warn" : "ok";
}

function setLevel(element, level) {
  element.classList.remove("level-ok", "level-warn", "level-alarm");
  if (level) element.classList.add(`level-${level}`);
}

function worst(...found) {
  return found.includes("alarm") ? "alarm" : found.includes("warn") ? "warn" : "ok";
}

// --- queue tiles --------------------------------------------------------------------------

function metric(label, valueNode, extra) {
  return h("div", { class: "wb-metric" }, valueNode, h("span", { class: "wb-label" }, label), extra);
}

function makeTile(queue) {
  const parts = {
    name: h("button", { type: "button", class: "wb-tile-name", onclick: () => choose(queue) }),
    badge: h("span", { class: "badge", hidden: true }),
    waiting: h("span", { class: "wb-value" }),
    longest: h("time", { class: "wb-value" }),
    level: h("span", { class: "wb-value" }),
    target: h("span", { class: "wb-target" }),
    asa: h("span"),
    offered: h("span"),
    answered: h("span"),
    abandoned: h("span"),
  };
  parts.waitingBox = metric(t("Waiting"), parts.waiting);
  parts.longestBox = metric(t("Longest wait"), parts.longest);
  parts.levelBox = metric(t("Service level today"), parts.level, parts.target);
  const root = h("article", { class: "card tile wb-tile", dataset: { queue } },
    h("h3", { class: "wb-tile-head" }, parts.name, parts.badge),
    h("div", { class: "wb-big" }, parts.waitingBox, parts.longestBox),
    h("div", { class: "wb-today" }, parts.levelBox, h("dl", { class: "wb-asa" }, h("dt", {}, t("ASA")), h("dd", {}, parts.asa))),
    h("dl", { class: "wb-small" },
      h("div", {}, h("dt", {}, t("Offered")), h("dd", {}, parts.offered)),
      h("div", {}, h("dt", {}, t("Answered")), h("dd", {}, parts.answered)),
      h("div", {}, h("dt", {}, t("Abandoned")), h("dd", {}, parts.abandoned))));
  return { root, parts };
}

function renderTiles() {
  if (!view.queues.length) {
    fill(tilesBox, h("p", { class: "empty" }, t("No queues are configured.")));
    tiles.clear();
    return;
  }
  const wanted = view.queues.map((q) => q.queue);
  for (const queue of [...tiles.keys()]) if (!wanted.includes(queue)) tiles.delete(queue);
  const ordered = wanted.map((queue) => {
    if (!tiles.has(queue)) tiles.set(queue, makeTile(queue));
    return tiles.get(queue).root;
  });
  if (ordered.some((root, i) => tilesBox.children[i] !== root) || tilesBox.children.length !== ordered.length) {
    fill(tilesBox, ordered);
  }
  view.queues.forEach((row, index) => {
    const { parts } = tiles.get(row.queue);
    parts.name.textContent = row.name;
    parts.name.setAttribute("aria-pressed", String(row.queue === chosen));
    parts.name.title = index < 9 ? t("Show the line of this queue ({key})", { key: index + 1 }) : t("Show the line of this queue");
    parts.waiting.textContent = fmt.number(row.waiting);
    if (row.oldest_waiting_since) {
      parts.longest.dataset.since = row.oldest_waiting_since;
      parts.longest.dateTime = row.oldest_waiting_since;
    } else {
      delete parts.longest.dataset.since;
      parts.longest.removeAttribute("datetime");
      parts.longest.textContent = "—";
    }
    parts.level.textContent = fmt.percent(row.service_level);
    parts.target.textContent = row.target
      ? t("target {percent} in {seconds}", { percent: fmt.percent(row.target.percent), seconds: fmt.duration(row.target.seconds) })
      : t("no target");
    parts.asa.textContent = fmt.duration(row.asa);
    parts.offered.textContent = fmt.number(row.offered);
    parts.answered.textContent = fmt.number(row.answered);
    parts.abandoned.textContent = fmt.number(row.abandoned);
  });
  tick(tilesBox);
  colourTiles();
}

/** Colour each tile by its figures; the longest wait grows by itself, so every second. */
function colourTiles() {
  if (!view) return;
  for (const row of view.queues) {
    const tile = tiles.get(row.queue);
    if (!tile) continue;
    const { parts, root } = tile;
    const found = {
      waiting: levelOf("waiting", row.waiting),
      longest_wait: row.oldest_waiting_since ? levelOf("longest_wait", secondsSince(row.oldest_waiting_since)) : null,
      service_level: levelOf("service_level", row.service_level),
    };
    setLevel(parts.waitingBox, found.waiting);
    setLevel(parts.longestBox, found.longest_wait);
    setLevel(parts.levelBox, found.service_level);
    const level = worst(...Object.values(found));
    setLevel(root, level);
    root.dataset.level = level;
    parts.badge.hidden = level === "ok";
    parts.badge.className = `badge badge-${level}`;
    parts.badge.textContent = LEVEL_NAMES[level] || "";
  }
}

// --- agents -------------------------------------------------------------------------------

function reasonName(code) {
  if (!code) return "";
  return reasons[code] || SYSTEM_REASONS[code] || code;
}

function contactLabel(line) {
  const channel = CHANNELS[line.channel] || line.channel;
  return line.state === "offered" ? t("{channel} {number}, ringing", { channel, number: line.ani }) : `${channel} ${line.ani}`;
}

function makeRow(agent) {
  const cells = {
    name: h("th", { scope: "row" }),
    state: h("td"),
    since: h("td", { class: "num" }, h("time")),
    contacts: h("td"),
  };
  // Supervisors change a state from the state itself: a button that opens the dialog.
  cells.shown = page.can_force
    ? h("button", { type: "button", class: "wb-state-button", onclick: () => openForce(agent) })
    : cells.state;
  if (page.can_force) cells.state.append(cells.shown);
  const root = h("tr", { dataset: { agent } }, cells.name, cells.state, cells.since, cells.contacts);
  return { root, cells };
}

function renderAgents() {
  const counts = view.agents_by_state;
  fill(countsList, Object.keys(AGENT_STATES).map((state) =>
    h("li", { class: `state state-${state}`, dataset: { state } }, `${AGENT_STATES[state]}: ${fmt.number(counts[state] || 0)}`)));
  const contacts = new Map(view.contacts.map((c) => [c.contact, c]));
  const agents = [...view.agents].sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state)
    || a.name.localeCompare(b.name, fmt.locale) || a.agent.localeCompare(b.agent));
  const wanted = new Set(agents.map((a) => a.agent));
  for (const agent of [...rows.keys()]) if (!wanted.has(agent)) rows.delete(agent);
  const hide = hideLoggedOut.checked;
  const ordered = [];
  for (const agent of agents) {
    if (!rows.has(agent.agent)) rows.set(agent.agent, makeRow(agent.agent));
    const { root, cells } = rows.get(agent.agent);
    root.hidden = hide && agent.state === "logged_out";
    root.dataset.state = agent.state;
    cells.name.textContent = agent.name;
    const reason = agent.state === "not_ready" ? reasonName(agent.reason) : "";
    const change = t("Change the state of {name}", { name: agent.name });
    fill(cells.shown, h("span", { class: `state state-${agent.state}` }, AGENT_STATES[agent.state] || agent.state),
      reason ? h("span", { class: "wb-reason" }, reason) : null,
      page.can_force ? h("span", { class: "visually-hidden" }, ` — ${change}`) : null);
    if (page.can_force) cells.shown.title = change;
    const since = cells.since.firstChild;
    if (agent.since) {
      since.dataset.since = agent.since;
      since.dateTime = agent.since;
    } else {
      delete since.dataset.since;
      since.textContent = "—";
    }
    fill(cells.contacts, agent.contacts.map((id) => {
      const line = contacts.get(id);
      return h("a", { href: `/contacts/${encodeURIComponent(id)}`, class: "wb-contact" }, line ? contactLabel(line) : id);
    }));
    ordered.push(root);
  }
  if (ordered.some((root, i) => agentsBody.children[i] !== root) || agentsBody.children.length !== ordered.length) {
    const focused = agentsBody.contains(document.activeElement) ? document.activeElement : null;
    fill(agentsBody, ordered); // moving rows would drop the focus of a keyboard user: give it back
    if (focused) focused.focus();
  }
  if (!agents.length) fill(agentsBody, h("tr", {}, h("td", { colspan: 4, class: "empty" }, t("No agents yet."))));
  tick(agentsBody);
}

// --- the live line of one queue ----------------------------------------------------------

function choose(queue) {
  chosen = queue;
  localStorage.setItem(STORE.queue, queue);
  if (view) render();
  lineQueue.value = queue;
}

function customerOf(id) {
  if (!customers.has(id)) {
    customers.set(id, null);
    get(`/customers/${encodeURIComponent(id)}`, { quiet: true })
      .then((found) => customers.set(id, { name: found.name, category: found.category, vip: found.vip }))
      .catch(() => customers.set(id, { name: id, category: null, vip: false }))
      .finally(() => view && renderLine());
  }
  return customers.get(id);
}

function categoryBadge(code) {
  const category = categories[code];
  const badge = h("span", { class: "badge wb-category" }, category ? category.name : code);
  if (category && category.color) badge.style.setProperty("--category", category.color);
  return badge;
}

function customerCell(line) {
  if (!line.customer) return h("span", { class: "muted" }, t("Not identified"));
  const found = customerOf(line.customer);
  const name = found ? found.name : t("Looking up…");
  return [
    h("a", { href: `/customers/${encodeURIComponent(line.customer)}` }, name),
    found && found.vip ? h("span", { class: "badge badge-vip" }, t("VIP")) : null,
    found && found.category && found.category !== "VIP" ? categoryBadge(found.category) : null,
  ];
}

function renderLine() {
  const queues = view.queues;
  if (!queues.some((q) => q.queue === chosen)) chosen = (queues.find((q) => q.waiting) || queues[0] || {}).queue || "";
  const options = queues.map((q) => h("option", { value: q.queue }, `${q.name} (${fmt.number(q.waiting)})`));
  fill(lineQueue, options);
  lineQueue.value = chosen;
  const agents = new Map(view.agents.map((a) => [a.agent, a.name]));
  const waiting = view.contacts
    .filter((c) => c.queue === chosen && IN_LINE.has(c.state))
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)
      || (a.queued_since || a.arrived_at).localeCompare(b.queued_since || b.arrived_at)
      || a.contact.localeCompare(b.contact));
  if (!waiting.length) {
    fill(lineBody, h("tr", {}, h("td", { colspan: 5, class: "empty" }, t("Nobody is waiting in this queue."))));
    return;
  }
  fill(lineBody, waiting.map((line, index) => {
    const since = line.queued_since || line.arrived_at;
    return h("tr", { dataset: { contact: line.contact } },
      h("td", { class: "num" }, fmt.number(index + 1)),
      h("td", { class: "num" },
        h("time", { dataset: { since }, datetime: since }, fmt.duration(secondsSince(since))),
        line.state === "offered"
          ? h("span", { class: "badge badge-info wb-ringing" }, t("Ringing: {name}", { name: agents.get(line.agent) || line.agent }))
          : null),
      h("td", {}, h("a", { href: `/contacts/${encodeURIComponent(line.contact)}` }, line.ani),
        h("span", { class: "muted wb-channel" }, CHANNELS[line.channel] || line.channel)),
      h("td", {}, customerCell(line)),
      h("td", { class: "num" }, line.priority === null || line.priority === undefined ? "—" : fmt.number(line.priority)));
  }));
}

// --- the stream -----------------------------------------------------------------------------

function render() {
  renderTiles();
  renderAgents();
  renderLine();
}

const STATUS = {
  connecting: () => t("Connecting…"),
  live: () => t("Live"),
  offline: () => t("Offline: reconnecting…"),
  refused: (reason) => t("The live view was refused: {reason}", { reason: reason || "" }),
};

function showStatus(state, reason) {
  const element = $("[data-link-state]");
  element.dataset.state = state;
  element.textContent = STATUS[state](reason);
}

/** A snapshot after the first follows a change of configuration (or a reconnection):
 * the names of reasons and categories may have changed with it. */
async function refreshNames() {
  try {
    const [reasonDocs, categoryDocs] = await Promise.all([get("/reasons"), get("/categories")]);
    reasons = Object.fromEntries(Object.entries(reasonDocs).map(([code, doc]) => [code, localName(doc, code, context.locale)]));
    categories = Object.fromEntries(Object.entries(categoryDocs).map(([code, doc]) =>
      [code, { name: localName(doc, code, context.locale), color: doc.color }]));
    customers.clear(); // a customer's name or category may have changed meanwhile too
    if (view) render();
  } catch {
    // the names already shown stay: the next snapshot tries again
  }
}

function onMessage(message) {
  if (message.type === "snapshot") {
    serverNow(message.now);
    if (view) refreshNames();
    showTime();
  }
  if (!message.view) return;
  view = message.view;
  levels = view.levels || levels;
  render();
}

new Stream("/api/v1/stream/supervisor", { onMessage, onStatus: showStatus });

// --- forcing an agent's state --------------------------------------------------------------

const force = $("#wb-force");
let forced = null; // the agent the dialog is for

function forceSummary() {
  const form = $("form", force);
  const state = form.state.value;
  const agent = view && view.agents.find((a) => a.agent === forced);
  const name = agent ? agent.name : forced;
  form.reason.disabled = state !== "not_ready";
  $("[data-force-summary]", force).textContent = !state ? ""
    : state === "not_ready"
      ? t("{name} will be set to {state}: {reason}.", { name, state: AGENT_STATES[state], reason: reasonName(form.reason.value) })
      : t("{name} will be set to {state}.", { name, state: AGENT_STATES[state] });
}

function openForce(agentId) {
  const agent = view.agents.find((a) => a.agent === agentId);
  if (!agent) return;
  forced = agentId;
  const form = $("form", force);
  clearErrors(form);
  $("#wb-force-title").textContent = t("Change the state of {name}", { name: agent.name });
  const proposed = agent.state === "logged_out" || agent.state === "not_ready" ? "ready" : "not_ready";
  for (const radio of form.state) radio.checked = radio.value === proposed;
  if (agent.reason && [...form.reason.options].some((o) => o.value === agent.reason)) form.reason.value = agent.reason;
  forceSummary();
  force.showModal();
}

if (force) {
  const form = $("form", force);
  form.addEventListener("change", forceSummary);
  $("[data-close]", force).addEventListener("click", () => force.close());
  bindForm(form, async (values) => {
    const body = { state: values.state };
    if (values.state === "not_ready") body.reason = values.reason;
    return post(`/agents/${encodeURIComponent(forced)}/state`, body);
  }, (agent) => {
    force.close();
    notify(t("{name} is now {state}.", { name: agent.name, state: AGENT_STATES[agent.state] || agent.state }), "ok");
  });
}

// --- colour levels (admins) --------------------------------------------------------------

const colours = $("#wb-colours");
if (colours) {
  const form = $("form", colours);
  $("[data-open-colours]").addEventListener("click", () => {
    clearErrors(form);
    for (const [name, level] of Object.entries(levels)) {
      form.elements[`${name}.warn`].value = level.warn;
      form.elements[`${name}.alarm`].value = level.alarm;
    }
    colours.showModal();
  });
  $("[data-close]", colours).addEventListener("click", () => colours.close());
  bindForm(form, (values) => put("/settings/wallboard", values), () => {
    colours.close();
    notify(t("The wallboard colours are saved."), "ok");
  });
}

// --- TV mode, the clock, shortcuts -----------------------------------------------------------

const tvButton = $("[data-tv]");

function setTv(on) {
  document.body.classList.toggle("tv", on);
  tvButton.setAttribute("aria-pressed", String(on));
  if (on && document.fullscreenEnabled && !document.fullscreenElement) {
    document.documentElement.requestFullscreen().catch(() => {}); // a kiosk may refuse: TV mode stays
  } else if (!on && document.fullscreenElement) {
    document.exitFullscreen().catch(() => {});
  }
}

tvButton.addEventListener("click", () => setTv(!document.body.classList.contains("tv")));
document.addEventListener("fullscreenchange", () => {
  if (!document.fullscreenElement && document.body.classList.contains("tv")) setTv(false);
});

hideLoggedOut.checked = localStorage.getItem(STORE.hide) === "1";
hideLoggedOut.addEventListener("change", () => {
  localStorage.setItem(STORE.hide, hideLoggedOut.checked ? "1" : "0");
  if (view) renderAgents();
});
lineQueue.addEventListener("change", () => choose(lineQueue.value));

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
  if (event.target.closest("input, select, textarea, [contenteditable]")) return;
  if (event.key === "t" || event.key === "T" || event.key === "е" || event.key === "Е") {
    setTv(!document.body.classList.contains("tv"));
  } else if (event.key === "Escape" && document.body.classList.contains("tv")) {
    setTv(false);
  } else if (/^[1-9]$/.test(event.key) && view && view.queues[Number(event.key) - 1]) {
    choose(view.queues[Number(event.key) - 1].queue);
  } else {
    return;
  }
  event.preventDefault();
});

const clock = $("[data-clock]");

/** The server's time (known from the first snapshot on: until then, none). */
function showTime() {
  const at = new Date(now());
  clock.textContent = fmt.time(at);
  clock.dateTime = at.toISOString();
}

setInterval(() => {
  if (clock.dateTime) showTime(); // once a snapshot told the time
  colourTiles();
}, 1000);
