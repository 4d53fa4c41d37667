// The agent's desk. Everything shown comes from the agent stream (/api/v1/stream/agent):
// the snapshot, then each message's view, so a reload rebuilds the desk as it was. Offers
// ring with the screen pop of their message (or read with GET .../card); each contact
// being served gets a pane with its card, its conversation (text channels), the wrap-up
// and the tools to transfer, consult, call back and fix the customer. Changes go through
// the API; what they change comes back on the stream.
//
// Keys (when no field has focus): A accept, R reject, 1–9 the n-th contact, / search.
import { get, post } from "../api.js";
import { now, serverNow, tick } from "../clock.js";
import { $, fill, h } from "../dom.js";
import { bindForm, errorText } from "../forms.js";
import { fmt, t } from "../i18n.js";
import { Stream } from "../stream.js";
import { notify } from "../toast.js";
import { AGENT_STATES, CONTACT_STATES } from "../vocabulary.js";
import {
  categoryBadge, channelName, contactFacts, customerFacts, customerHistory, customerName, firstWords, isText,
  scriptSection,
} from "../desk/card.js";
import { Conversation } from "../desk/conversation.js";
import { CallbackDialog, CustomerDialog, RouteDialog } from "../desk/dialogs.js";

const settings = JSON.parse($("#desk-settings").textContent);
const me = settings.agent;
const title = document.title;
const cards = new Map(); // contact -> its screen pop, as its offer brought it
const reading = new Map(); // contact -> the card being read
const offers = new Map(); // contact -> its offer panel
const panes = new Map(); // contact -> its Pane
const announcer = h("p", { class: "visually-hidden", role: "status", "aria-live": "assertive" });
document.body.append(announcer);
const routeDialog = new RouteDialog(settings);
const callbackDialog = new CallbackDialog(settings);
const customerDialog = new CustomerDialog();
let view = null;
let shownState = null;

// --- drafts: what the agent typed survives a reload ---------------------------------------

function drafts(contact) {
  const key = (name) => `desk.${contact}.${name}`;
  return {
    get: (name) => sessionStorage.getItem(key(name)),
    set: (name, value) => (value ? sessionStorage.setItem(key(name), value) : sessionStorage.removeItem(key(name))),
    clear: () => ["note", "disposition", "reply"].forEach((name) => sessionStorage.removeItem(key(name))),
  };
}

// --- cards -----------------------------------------------------------------------------------

/** The contact's screen pop read afresh (one request at a time per contact). */
function readCard(contact) {
  if (!reading.has(contact)) {
    reading.set(contact, get(`/contacts/${contact}/card`)
      .then((card) => {
        cards.set(contact, card);
        return card;
      })
      .finally(() => reading.delete(contact)));
  }
  return reading.get(contact);
}

// --- the state bar ---------------------------------------------------------------------------

function renderState(current) {
  const state = $("#my-state");
  state.className = `state state-${current.state}`;
  state.textContent = AGENT_STATES[current.state] || current.state;
  $("#my-reason").textContent = current.reason ? settings.reasons[current.reason] || current.reason : "";
  const since = $("#my-since");
  if (current.since) since.dataset.since = current.since;
  else delete since.dataset.since;
  document.body.dataset.agentState = current.state;
  const marker = `${current.state}:${current.reason}`;
  if (marker !== shownState) {
    shownState = marker;
    const select = $("#not-ready-reason");
    if (current.reason && [...select.options].some((o) => o.value === current.reason)) select.value = current.reason;
    for (const button of document.querySelectorAll("[data-state-to]")) {
      button.setAttribute("aria-pressed", String(button.dataset.stateTo === current.state));
    }
  }
  const left = $("#my-wrap-left");
  const ending = wrapUpEnds(current.contacts.filter((c) => c.state === "wrap_up" && c.agent === me));
  left.hidden = current.state !== "wrap_up" || !ending;
  if (!left.hidden) {
    fill(left, t("closes by itself in"), " ", h("time", { "data-until": ending }));
  }
  const today = current.today;
  $("#today-handled").textContent = fmt.number(today.handled);
  $("#today-aht").textContent = fmt.duration(today.average_handle_time);
  $("#idle-text").textContent = {
    ready: t("You are ready: contacts will ring here."),
    not_ready: t("You are not ready: no contacts are offered to you."),
    logged_out: t("You are logged out. Press Ready to take contacts."),
  }[current.state] || "";
}

/** When the earliest of these wrap-ups closes by itself (settings.desk.wrap_up), or null. */
function wrapUpEnds(lines) {
  if (!settings.wrap_up) return null;
  const starts = lines.map((line) => line.wrap_up_at).filter(Boolean).map((at) => new Date(at).getTime());
  return starts.length ? new Date(Math.min(...starts) + settings.wrap_up * 1000).toISOString() : null;
}

async function changeState(state) {
  const body = { state };
  if (state === "not_ready") body.reason = $("#not-ready-reason").value;
  try {
    await post(`/agents/${encodeURIComponent(me)}/state`, body);
  } catch (error) {
    notify(errorText(error), "error");
  }
}

for (const button of document.querySelectorAll("[data-state-to]")) {
  button.addEventListener("click", () => changeState(button.dataset.stateTo));
}

// --- offers ------------------------------------------------------------------------------------

function renderOffers(list) {
  const ringing = new Set(list.map((offer) => offer.contact));
  for (const [contact, panel] of offers) {
    if (!ringing.has(contact)) {
      panel.remove();
      offers.delete(contact);
    }
  }
  for (const offer of list) {
    if (offers.has(offer.contact)) continue;
    const panel = offerPanel(offer);
    offers.set(offer.contact, panel);
    $("#offers").append(panel);
    const known = cards.get(offer.contact);
    if (known) fillOffer(panel, offer, known);
    else readCard(offer.contact).then((card) => fillOffer(panel, offer, card), (error) => {
      fill(panel.querySelector(".offer-body"), h("p", { class: "banner banner-alarm" }, errorText(error)));
    });
  }
  document.title = list.length ? `(${list.length}) ${title}` : title;
}

function offerPanel(offer) {
  const id = `offer-${offer.contact}`;
  const left = Math.max(0, (new Date(offer.expires_at).getTime() - now()) / 1000);
  const accept = h("button", { type: "button", class: "btn btn-ok btn-big", "data-accept": offer.contact,
    onclick: () => act(offer.contact, "accept") }, t("Accept"), h("kbd", { "aria-hidden": "true" }, "A"));
  const reject = h("button", { type: "button", class: "btn btn-big", "data-reject": offer.contact,
    onclick: () => act(offer.contact, "reject") }, offer.consult ? t("Decline") : t("Reject"), h("kbd", { "aria-hidden": "true" }, "R"));
  return h("article", { class: "offer card", id, "data-contact": offer.contact, "aria-labelledby": `${id}-title` },
    h("header", { class: "offer-head" },
      h("div", { class: "offer-title" },
        h("h2", { id: `${id}-title` }, offer.consult ? t("Consult request") : t("Incoming contact")),
        h("p", { class: "offer-who" }, t("Loading the card…"))),
      h("div", { class: "offer-ring", title: t("Time left to answer") },
        h("time", { "data-until": offer.expires_at, class: "offer-left" }),
        h("span", { class: "ring-bar", "aria-hidden": "true" },
          h("span", { style: `animation-duration:${left.toFixed(1)}s` }))),
      h("div", { class: "offer-actions" }, accept, reject)),
    h("div", { class: "offer-body" }));
}

function fillOffer(panel, offer, card) {
  const customer = card.customer;
  const vip = Boolean(customer && (customer.vip || customer.category === "VIP"));
  panel.classList.toggle("is-vip", vip);
  const kind = offer.consult ? t("Consult request") : t("Incoming: {channel}", { channel: channelName(card.channel) });
  panel.querySelector("h2").textContent = kind;
  fill(panel.querySelector(".offer-who"), 
    h("span", { class: "offer-name" }, customerName(card)), " ",
    categoryBadge(customer, settings, true), " ",
    h("span", { class: "mono muted" }, card.ani));
  fill(panel.querySelector(".offer-body"), 
    h("section", { class: "offer-col" }, firstWords(card), customerFacts(card), contactFacts(card, settings)),
    h("section", { class: "offer-col" }, customerHistory(card, settings) || h("p", { class: "muted" }, t("No history: this is someone new."))),
    h("section", { class: "offer-col" }, scriptSection(card)));
  announcer.textContent = `${kind}: ${customerName(card)}${vip ? " (VIP)" : ""}`;
  tick(panel);
}

async function act(contact, action) {
  const panel = offers.get(contact);
  const buttons = panel ? [...panel.querySelectorAll("button")] : [];
  buttons.forEach((button) => (button.disabled = true));
  try {
    await post(`/contacts/${contact}/${action}`);
  } catch (error) {
    notify(errorText(error), "error");
    buttons.forEach((button) => (button.disabled = false));
  }
}

// --- panes: the contacts being served ----------------------------------------------------------

class Pane {
  constructor(line) {
    this.id = line.contact;
    this.line = line;
    this.text = isText(line.channel);
    this.drafts = drafts(this.id);
    const headId = `pane-${this.id}-title`;
    this.title = h("h2", { id: headId, class: "pane-title" }, line.ani);
    this.badge = h("span", { class: "pane-badges" });
    this.status = h("span", { class: "pane-status" });
    this.cardBody = h("div", { class: "pane-card-body" }, h("p", { class: "muted" }, t("Loading the card…")));
    this.card = h("details", { class: "pane-card", open: !this.text },
      h("summary", {}, t("Customer card")), this.cardBody);
    this.tools = h("div", { class: "pane-tools" });
    this.consult = h("div", { class: "pane-consult", hidden: true });
    this.chat = this.text ? new Conversation(this.id, { onIncoming: () => this.unread(), drafts: this.drafts }) : null;
    this.wrap = this.wrapForm();
    this.shown = {}; // what the tools and the consult box were last drawn for
    this.element = h("article", { class: "pane card", "data-contact": this.id, "aria-labelledby": headId,
      onfocusin: () => this.element.classList.remove("unread") },
      h("header", { class: "pane-head" },
        h("span", { class: "badge badge-info" }, channelName(line.channel)), this.title, this.badge, this.status),
      h("div", { class: "pane-body" }, this.tools, this.consult, this.card, this.chat ? this.chat.element : null),
      this.wrap);
    if (this.chat) this.chat.load();
    this.cardCustomer = line.customer;
    if (cards.has(this.id)) this.setCard(cards.get(this.id));
    else this.loadCard();
  }

  wrapForm() {
    const id = (name) => `${name}-${this.id}`;
    const dispositions = Object.entries(settings.dispositions);
    this.disposition = h("select", { id: id("disposition"), name: "disposition", "data-optional": "",
      onchange: () => this.drafts.set("disposition", this.disposition.value) },
      h("option", { value: "" }, t("— choose —")),
      dispositions.map(([code, name]) => h("option", { value: code }, name)));
    this.disposition.value = this.drafts.get("disposition") || "";
    this.note = h("textarea", { id: id("note"), name: "note", rows: "2", maxlength: "4096",
      oninput: () => this.drafts.set("note", this.note.value) });
    this.note.value = this.drafts.get("note") || "";
    this.wrapButtons = h("div", { class: "form-actions" });
    const form = h("form", { class: "pane-wrap", novalidate: true },
      h("p", { class: "form-error", role: "alert", hidden: true }),
      h("div", { class: "wrap-fields" },
        h("div", { class: "field" }, h("label", { for: this.disposition.id }, t("Disposition")), this.disposition),
        h("div", { class: "field wrap-note" }, h("label", { for: this.note.id }, t("Note")), this.note)),
      this.wrapButtons);
    bindForm(form, async (values, _form, submitter) => {
      const close = Boolean(submitter && submitter.dataset.close === "true");
      const body = { note: values.note || "", close };
      if (values.disposition) body.disposition = values.disposition;
      const saving = this.line.state === "wrap_up" && !close;
      await post(`/contacts/${this.id}/wrap-up`, body);
      if (saving) notify(t("Saved."), "ok", 2);
    });
    return form;
  }

  get serving() {
    return this.line.agent === me;
  }

  update(line) {
    this.line = line;
    const connected = line.state === "connected";
    const since = line.state === "wrap_up" ? line.wrap_up_at : line.connected_at;
    const ends = line.state === "wrap_up" ? wrapUpEnds([line]) : null;
    fill(this.status, 
      h("span", { class: `pane-state pane-state-${line.state}` }, CONTACT_STATES[line.state] || line.state), " ",
      since ? h("time", { "data-since": since, title: t("Time in this state") }) : null,
      ends ? h("span", { class: "muted" }, " · ", t("closes by itself in"), " ", h("time", { "data-until": ends })) : null);
    this.element.classList.toggle("is-wrap-up", line.state === "wrap_up");
    this.renderTools();
    this.renderConsult();
    this.renderWrap(connected);
    if (this.chat) this.chat.enable(this.serving && connected);
    if (line.customer !== this.cardCustomer) this.loadCard(); // linked to a customer
  }

  async loadCard() {
    this.cardCustomer = this.line.customer;
    try {
      this.setCard(await readCard(this.id));
    } catch (error) {
      fill(this.cardBody, h("p", { class: "banner banner-alarm" }, errorText(error)));
    }
  }

  setCard(card) {
    this.cardData = card;
    this.title.textContent = customerName(card);
    fill(this.badge, categoryBadge(card.customer, settings) || "", card.customer ? "" : h("span", { class: "mono muted" }, card.ani));
    this.element.classList.toggle("is-vip", Boolean(card.customer && (card.customer.vip || card.customer.category === "VIP")));
    fill(this.cardBody, customerFacts(card), contactFacts(card, settings),
      customerHistory(card, settings), scriptSection(card));
    this.renderTools();
  }

  /** Whether ``what`` changed since ``part`` was last drawn (redrawing loses the focus). */
  changed(part, ...what) {
    const key = JSON.stringify(what);
    if (this.shown[part] === key) return false;
    this.shown[part] = key;
    return true;
  }

  renderTools() {
    const line = this.line;
    const card = this.cardData;
    const customerId = card && card.customer ? card.customer.id : null;
    if (!this.changed("tools", customerId, this.serving, line.state, line.consult)) return;
    const working = this.serving && line.state === "connected" && !line.consult;
    const button = (label, onclick, enabled = true) =>
      h("button", { type: "button", class: "btn btn-small", onclick, disabled: !enabled }, label);
    const customer = card && card.customer;
    fill(this.tools, 
      customer
        ? button(t("Edit customer"), () => customerDialog.edit(customer.id, () => this.reloadCard()).catch((e) => notify(errorText(e), "error")))
        : button(t("New customer"), () => customerDialog.create(this.id, line.ani, () => this.reloadCard()), this.serving),
      customer ? h("a", { class: "btn btn-small btn-quiet", href: `/customers/${encodeURIComponent(customer.id)}`, target: "_blank", rel: "noopener" }, t("Customer page")) : null,
      button(t("Callback"), () => callbackDialog.show(this.id, line.ani, customer ? customer.id : null)),
      this.serving && line.state === "connected"
        ? [button(t("Transfer"), () => routeDialog.show("transfer", this.id, line.channel), working),
           button(t("Consult"), () => routeDialog.show("consult", this.id, line.channel), working)]
        : null);
  }

  reloadCard() {
    this.loadCard();
  }

  renderConsult() {
    const line = this.line;
    const box = this.consult;
    if (!this.changed("consult", line.agent, line.consult, line.consultant)) return;
    if (!this.serving && line.consultant === me) {
      box.hidden = false;
      box.className = "pane-consult banner";
      fill(box, t("You joined a consult on a contact of {agent}. {agent} ends it: hands the contact over to you or keeps it.",
        { agent: settings.agents[line.agent] || line.agent }));
      return;
    }
    box.hidden = !line.consult;
    if (!line.consult) return;
    const [kind, key] = line.consult.split(/:(.*)/s);
    const target = kind === "queue" ? settings.queues[key] || key : settings.agents[key] || key;
    const end = (handOver, label, primary) => h("button", { type: "button", class: `btn btn-small${primary ? " btn-primary" : ""}`,
      onclick: () => this.endConsult(handOver) }, label);
    box.className = "pane-consult banner";
    fill(box, 
      h("span", {}, line.consultant
        ? t("In a consult with {name}.", { name: settings.agents[line.consultant] || line.consultant })
        : t("Consult requested: {target}. Waiting for an answer…", { target })),
      " ",
      line.consultant
        ? [end(true, t("Hand over"), true), end(false, t("Keep the contact"))]
        : end(false, t("Withdraw")));
  }

  async endConsult(handOver) {
    try {
      await post(`/contacts/${this.id}/consult/end`, { hand_over: handOver });
    } catch (error) {
      notify(errorText(error), "error");
    }
  }

  renderWrap(connected) {
    const mine = this.serving;
    this.wrap.hidden = !mine;
    if (!mine) return;
    const submit = (label, close, primary) => h("button", { type: "submit", class: `btn${primary ? " btn-primary" : ""}`,
      "data-close": String(close), disabled: Boolean(this.line.consult) }, label);
    const state = connected ? "connected" : "wrap_up";
    if (this.wrapButtons.dataset.state === state && this.wrapButtons.dataset.consult === String(Boolean(this.line.consult))) return;
    this.wrapButtons.dataset.state = state;
    this.wrapButtons.dataset.consult = String(Boolean(this.line.consult));
    fill(this.wrapButtons, ...(connected
      ? [submit(t("Wrap up"), false), submit(t("Wrap up and close"), true, true)]
      : [submit(t("Save"), false), submit(t("Close the contact"), true, true)]));
  }

  unread() {
    if (!this.element.contains(document.activeElement)) this.element.classList.add("unread");
  }

  focus() {
    const target = this.chat && !this.chat.box.disabled ? this.chat.box : this.wrap.hidden ? this.element.querySelector("button") : this.note;
    if (target) target.focus();
    this.element.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  remove() {
    this.element.remove();
    this.drafts.clear();
    cards.delete(this.id);
  }
}

function renderPanes(lines) {
  const present = new Set(lines.map((line) => line.contact));
  for (const [contact, pane] of panes) {
    if (!present.has(contact)) {
      pane.remove();
      panes.delete(contact);
    }
  }
  for (const line of lines) {
    let pane = panes.get(line.contact);
    if (!pane) {
      pane = new Pane(line);
      panes.set(line.contact, pane);
      $("#panes").append(pane.element);
    }
    pane.update(line);
  }
  $("#panes").dataset.count = String(panes.size);
}

// --- the stream ----------------------------------------------------------------------------------

function render(current) {
  view = current;
  renderState(current);
  renderOffers(current.offers);
  renderPanes(current.contacts);
  for (const contact of cards.keys()) {
    if (!offers.has(contact) && !panes.has(contact)) cards.delete(contact); // rang out, went elsewhere
  }
  $("#desk-idle").hidden = current.offers.length > 0 || current.contacts.length > 0;
  tick();
}

function onMessage(message) {
  if (message.type === "snapshot") {
    serverNow(message.now);
    const open = [...panes.values()];
    render(message.view);
    // After a reconnection: messages written meanwhile came on no stream.
    for (const pane of open) if (pane.chat && panes.get(pane.id) === pane) pane.chat.load();
    return;
  }
  if (message.type !== "event" && message.type !== "offer") return;
  if (message.card) cards.set(message.event.contact, message.card);
  render(message.view);
  const event = message.event;
  if (event.type === "contact.message") {
    const pane = panes.get(event.contact);
    if (pane && pane.chat) {
      const { direction, text, author } = event.data;
      pane.chat.add({ seq: event.seq, at: event.at, direction, text, author });
    }
  }
}

function onStatus(status, reason) {
  const element = $("#link-state");
  element.dataset.state = status;
  element.textContent = {
    connecting: t("Connecting…"),
    live: t("Live"),
    offline: t("Offline: reconnecting…"),
    refused: reason || t("The desk cannot be opened."),
  }[status] || status;
}

new Stream("/api/v1/stream/agent", { onMessage, onStatus });

// --- keys -------------------------------------------------------------------------------------------

function typing(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (document.querySelector("dialog[open]")) return;
  const key = event.key.toLowerCase();
  const first = view && view.offers.length ? view.offers[0].contact : null;
  if ((key === "a" || key === "r") && first) {
    event.preventDefault();
    act(first, key === "a" ? "accept" : "reject");
  } else if (key === "/") {
    event.preventDefault();
    $("#desk-search").focus();
  } else if (/^[1-9]$/.test(key)) {
    const pane = [...panes.values()][Number(key) - 1];
    if (pane) {
      event.preventDefault();
      pane.focus();
    }
  }
});
