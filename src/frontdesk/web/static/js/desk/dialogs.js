// The desk's dialogs: transfer or consult (seeing who is free), schedule a callback, edit
// the customer or create one for an unknown number. Each is a <dialog> of desk.html whose
// form posts to the API; a refusal is shown in the form and nothing typed is lost.
import { get, post, put } from "../api.js";
import { now } from "../clock.js";
import { context } from "../context.js";
import { $, $$, debounce, fill, h } from "../dom.js";
import { bindForm, clearErrors } from "../forms.js";
import { fmt, t, tn } from "../i18n.js";
import { notify } from "../toast.js";
import { AGENT_STATES } from "../vocabulary.js";
import { localInput, zonedToIso } from "../zoned.js";

const MEDIA = { voice: "call", callback: "call", chat: "chat", sms: "chat", messenger: "chat", social: "chat", email: "email", webhook: "email" };
const REFRESH_MS = 3000;
const STATE_ORDER = { ready: 0, busy: 1, reserved: 1, wrap_up: 2, not_ready: 3, logged_out: 4 };

function wire(dialog) {
  for (const button of $$("[data-close]", dialog)) button.addEventListener("click", () => dialog.close());
}

function open(dialog, form) {
  clearErrors(form);
  dialog.showModal();
}

// --- transfer and consult ----------------------------------------------------------------

export class RouteDialog {
  constructor(settings) {
    this.settings = settings;
    this.dialog = $("#route-dialog");
    this.form = $("#route-form");
    this.filter = $("#route-filter");
    this.directory = { agents: [], queues: [] };
    wire(this.dialog);
    this.filter.addEventListener("input", debounce(() => this.draw(), 100));
    this.dialog.addEventListener("close", () => clearInterval(this.timer));
    bindForm(this.form, (values) => this.send(values), () => this.dialog.close());
  }

  /** Open for ``kind`` ("transfer" or "consult") of the contact on ``channel``. */
  async show(kind, contact, channel) {
    this.kind = kind;
    this.contact = contact;
    this.media = MEDIA[channel] || "call";
    $("#route-title").textContent = kind === "transfer" ? t("Transfer to…") : t("Consult…");
    $("#route-submit").textContent = kind === "transfer" ? t("Transfer") : t("Consult");
    $("#route-note-field").hidden = kind !== "transfer";
    this.form.reset();
    this.selected = null;
    open(this.dialog, this.form);
    this.filter.focus();
    await this.refresh();
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    try {
      this.directory = await get("/directory");
    } catch {
      return; // the list shown stays; the next refresh tries again
    }
    this.draw();
  }

  draw() {
    const checked = $("input[name=target]:checked", this.form);
    if (checked) this.selected = checked.value;
    const needle = this.filter.value.trim().toLowerCase();
    const matches = (text) => !needle || text.toLowerCase().includes(needle);
    const queues = this.directory.queues.filter((q) => matches(q.name) || matches(q.id));
    const agents = this.directory.agents
      .filter((a) => a.id !== this.settings.agent && (matches(a.name) || matches(a.id)))
      .sort((a, b) => this.rank(a) - this.rank(b) || a.name.localeCompare(b.name));
    fill($("#route-queues"), ...(queues.length ? queues.map((q) => this.option(
      `queue:${q.id}`, q.name,
      h("span", { class: q.waiting ? "badge badge-warn" : "badge badge-ok" },
        q.waiting ? tn("{n} waiting", "{n} waiting", q.waiting) : t("nobody waiting")))) : [h("p", { class: "muted" }, t("None found"))]));
    fill($("#route-agents"), ...(agents.length ? agents.map((a) => this.option(
      `agent:${a.id}`, a.name,
      h("span", { class: `state state-${a.state}` }, AGENT_STATES[a.state] || a.state),
      a.reason ? h("span", { class: "muted" }, this.settings.reasons[a.reason] || a.reason) : null,
      this.free(a) ? h("span", { class: "badge badge-ok" }, t("free")) : null)) : [h("p", { class: "muted" }, t("None found"))]));
  }

  rank(agent) {
    return this.free(agent) ? -1 : STATE_ORDER[agent.state] ?? 5;
  }

  free(agent) {
    return (agent.free[this.media] || 0) > 0;
  }

  option(value, name, ...details) {
    const input = h("input", { type: "radio", name: "target", value, checked: value === this.selected });
    return h("label", { class: "route-option" }, input, h("span", { class: "route-name" }, name), ...details);
  }

  async send(values) {
    const [kind, key] = (values.target || "").split(/:(.*)/s);
    if (!key) throw new Error(t("Pick a queue or an agent."));
    const body = kind === "queue" ? { queue: key } : { agent: key };
    if (this.kind === "transfer") body.note = values.note || "";
    await post(`/contacts/${this.contact}/${this.kind}`, body);
    notify(this.kind === "transfer" ? t("Transferred.") : t("Consult requested."), "ok");
  }
}

// --- callbacks -----------------------------------------------------------------------------

export class CallbackDialog {
  constructor(settings) {
    this.settings = settings;
    this.dialog = $("#callback-dialog");
    this.form = $("#callback-form");
    wire(this.dialog);
    bindForm(this.form, (values) => this.send(values), (callback) => {
      this.dialog.close();
      notify(t("Callback scheduled for {when}.", { when: fmt.datetime(callback.due_at) }), "ok");
    });
  }

  async show(contact, number, customer) {
    this.contact = contact;
    this.customer = customer;
    this.form.reset();
    this.form.number.value = number || "";
    const hour = 3600 * 1000;
    const soon = Math.ceil((now() + hour) / (15 * 60 * 1000)) * 15 * 60 * 1000;
    this.form.due_local.value = localInput(soon, context.timezone);
    const select = $("#callback-queue");
    fill(select, ...Object.entries(this.settings.queues).map(([id, name]) => h("option", { value: id }, name)));
    open(this.dialog, this.form);
    this.form.number.focus();
  }

  async send(values) {
    const due = zonedToIso(values.due_local, context.timezone);
    if (!due) throw new Error(t("Give the date and time of the callback."));
    const body = { number: values.number, due_at: due, note: values.note || "", contact: this.contact };
    if (this.customer) body.customer = this.customer;
    if (values.for === "queue") body.queue = values.queue;
    return post("/callbacks", body);
  }
}

// --- the customer ----------------------------------------------------------------------------

export class CustomerDialog {
  constructor() {
    this.dialog = $("#customer-dialog");
    this.form = $("#customer-form");
    wire(this.dialog);
    bindForm(this.form, (values) => this.send(values), (message) => {
      this.dialog.close();
      notify(message, "ok");
      if (this.done) this.done();
    });
  }

  /** Edit the customer ``id``; ``done`` runs after saving. */
  async edit(id, done) {
    this.stored = await get(`/customers/${encodeURIComponent(id)}`);
    this.contact = null;
    this.done = done;
    this.present(t("Edit customer"), t("Save"), this.stored);
  }

  /** A new customer for the unknown sender of ``contact``, linked to it when saved. */
  create(contact, sender, done) {
    this.stored = null;
    this.created = null;
    this.contact = contact;
    this.done = done;
    const email = sender.includes("@");
    const phone = /^\+?[\d\s()-]{5,}$/.test(sender);
    this.present(t("New customer"), t("Create and link"), {
      name: "", company: "", category: null,
      phones: phone ? [sender] : [], emails: email ? [sender] : [],
    });
  }

  present(title, action, customer) {
    $("#customer-title").textContent = title;
    $("#customer-submit").textContent = action;
    const form = this.form;
    form.name.value = customer.name || "";
    form.company.value = customer.company || "";
    form.category.value = customer.category || "";
    form.phones.value = (customer.phones || []).join("\n");
    form.emails.value = (customer.emails || []).join("\n");
    open(this.dialog, form);
    form.name.focus();
  }

  async send(values) {
    const changes = {
      name: values.name, company: values.company || "", category: values.category ?? null,
      phones: values.phones || [], emails: values.emails || [],
    };
    if (this.stored) {
      const { id, created_at, updated_at, merged_into, ...kept } = this.stored;
      await put(`/customers/${encodeURIComponent(id)}`, { ...kept, ...changes });
      return t("The customer is saved.");
    }
    // Created before, but the link was refused: keep that record, with what is typed now.
    if (this.created) await put(`/customers/${encodeURIComponent(this.created)}`, changes);
    else this.created = (await post("/customers", changes)).id;
    await post(`/contacts/${this.contact}/customer`, { customer: this.created });
    return t("The customer is created and linked to this contact.");
  }
}
