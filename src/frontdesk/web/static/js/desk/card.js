// The screen pop of a contact (GET /api/v1/contacts/{id}/card, or the card of an offer
// message): who it is, how they came, what they bought and said before, the script.
import { get } from "../api.js";
import { context } from "../context.js";
import { fill, h } from "../dom.js";
import { fmt, t } from "../i18n.js";
import { CHANNELS } from "../vocabulary.js";

const COLOR = /^#[0-9a-fA-F]{3,8}$/;
const CALLS = new Set(["voice", "callback"]);
const OUTCOMES = {
  chosen: () => t("chosen"),
  collected: () => t("entered"),
  self_service_ok: () => t("self-service succeeded"),
  self_service_failed: () => t("self-service failed"),
  timeout: () => t("no input"),
};

/** Whether a contact of this channel is a written conversation (not a call). */
export function isText(channel) {
  return !CALLS.has(channel);
}

export function channelName(channel) {
  return CHANNELS[channel] || channel;
}

/** The customer's name, or "Unknown customer" (the number is shown beside it). */
export function customerName(card) {
  return card && card.customer ? card.customer.name : t("Unknown customer");
}

/** The category badge: VIP loud, others with the tenant's colour; null without one. */
export function categoryBadge(customer, settings, large = false) {
  if (!customer) return null;
  const code = customer.category;
  const entry = (code && settings.categories[code]) || null;
  if (customer.vip || code === "VIP") {
    return h("span", { class: "badge badge-vip" + (large ? " badge-vip-large" : "") }, entry ? entry.name : "VIP");
  }
  if (!code) return null;
  const color = entry && COLOR.test(entry.color || "") ? entry.color : null;
  return h("span", { class: "badge badge-category" },
    color ? h("span", { class: "dot", style: `background:${color}`, "aria-hidden": "true" }) : null,
    entry ? entry.name : code);
}

function fact(term, ...value) {
  const shown = value.filter((v) => v !== null && v !== undefined && v !== "");
  return shown.length ? [h("dt", {}, term), h("dd", {}, ...shown)] : null;
}

/** How the contact came: channel, number, access point, line, queue, wait, IVR path. */
export function contactFacts(card, settings) {
  const digits = Object.entries(card.digits || {});
  const greeting = card.greeting ? h("code", {}, card.greeting) : null;
  return h("dl", { class: "facts pop-facts" },
    fact(t("Channel"), channelName(card.channel)),
    fact(isText(card.channel) ? t("From") : t("Number"), h("span", { class: "mono" }, card.ani)),
    fact(t("Came to"), h("span", { class: "mono" }, card.access_point),
      card.line ? h("span", { class: "muted" }, " · " + t("{line} line", { line: card.line })) : null),
    fact(t("Queue"), card.queue ? settings.queues[card.queue] || card.queue : null),
    fact(t("Waited"), card.waited !== undefined && card.waited !== null ? fmt.duration(card.waited) : null),
    fact(t("Greeting"), greeting),
    fact(t("Digits entered"), digits.length
      ? h("span", { class: "mono" }, digits.map(([menu, keys]) => `${menu}: ${keys}`).join(", ")) : null),
    card.ivr_path && card.ivr_path.length ? [h("dt", {}, t("IVR path")), h("dd", {}, ivrPath(card.ivr_path))] : null);
}

function ivrPath(steps) {
  return h("ol", { class: "ivr-path" }, steps.map((step) => {
    const failed = step.outcome === "self_service_failed" || step.outcome === "timeout";
    const outcome = OUTCOMES[step.outcome] ? OUTCOMES[step.outcome]() : step.outcome;
    return h("li", { class: failed ? "ivr-failed" : null },
      h("span", { class: "mono" }, step.menu),
      step.input ? [" → ", h("kbd", {}, step.input)] : null,
      outcome ? h("span", { class: failed ? "badge badge-alarm" : "badge" }, outcome) : null);
  }));
}

/** What a chat, e-mail or form said when it arrived; null for a call. */
export function firstWords(card) {
  if (!isText(card.channel) || !(card.text || card.subject)) return null;
  return h("blockquote", { class: "pop-message", "aria-label": t("Message") },
    card.subject ? h("p", { class: "chat-subject" }, card.subject) : null,
    card.text ? h("p", { class: "chat-text" }, card.text) : null);
}

/** The customer: company, status, manager; or why there is none. */
export function customerFacts(card) {
  const customer = card.customer;
  if (!customer) {
    return h("p", { class: card.crm === "unavailable" ? "banner banner-alarm" : "muted" },
      card.crm === "unavailable"
        ? t("The CRM was unavailable: the customer could not be looked up.")
        : t("No customer has this number or address."));
  }
  return h("dl", { class: "facts pop-facts" },
    fact(t("Company"), customer.company),
    fact(t("Status"), customer.status),
    fact(t("Personal manager"), customer.manager_name || customer.manager));
}

/** Last purchases, open callbacks and the last contacts on every channel. */
export function customerHistory(card, settings) {
  const customer = card.customer;
  if (!customer) return null;
  const purchases = customer.purchases || [];
  const callbacks = customer.callbacks || [];
  const contacts = customer.contacts || [];
  return h("div", { class: "pop-history" },
    h("section", {},
      h("h3", {}, t("Last purchases")),
      purchases.length
        ? h("ul", { class: "pop-list" }, purchases.map((p) => h("li", {},
            h("time", { datetime: p.at }, fmt.date(p.at)), " ",
            h("span", { class: "pop-what" }, p.description || p.order_no),
            h("span", { class: "pop-amount" }, money(p.amount, p.currency)))))
        : h("p", { class: "muted" }, t("None"))),
    h("section", {},
      h("h3", {}, t("Open callbacks")),
      callbacks.length
        ? h("ul", { class: "pop-list" }, callbacks.map((c) => h("li", {},
            h("time", { datetime: c.due_at }, fmt.datetime(c.due_at)), " ",
            h("span", { class: "mono" }, c.number), c.note ? h("span", { class: "muted" }, " — " + c.note) : null)))
        : h("p", { class: "muted" }, t("None"))),
    h("section", {},
      h("h3", {}, t("Last contacts")),
      contacts.length
        ? h("ul", { class: "pop-list" }, contacts.map((a) => h("li", {},
            h("time", { datetime: a.at }, fmt.datetime(a.at)), " ",
            h("span", { class: "badge" }, channelName(a.channel)), " ",
            a.summary || "",
            a.disposition ? h("span", { class: "muted" }, " · " + (settings.dispositions[a.disposition] || a.disposition)) : null)))
        : h("p", { class: "muted" }, t("None"))));
}

function money(amount, currency) {
  const value = Number(amount);
  try {
    return fmt.money(value, currency || "RUB");
  } catch {
    return `${amount} ${currency || ""}`;
  }
}

const scripts = new Map(); // script key -> Promise of the document, or null

function scriptDocument(key) {
  if (!scripts.has(key)) {
    scripts.set(key, get(`/scripts/${encodeURIComponent(key)}`).catch(() => null));
  }
  return scripts.get(key);
}

function inLanguage(texts, fallback) {
  const found = texts || {};
  return found[context.locale] || found.en || Object.values(found)[0] || fallback;
}

/** The service script the scenario chose, in the viewer's language (loaded once). */
export function scriptSection(card) {
  if (!card.script) return null;
  const section = h("section", { class: "pop-script", "aria-label": t("Script") },
    h("h3", {}, t("Script")), h("p", { class: "muted" }, t("Loading…")));
  scriptDocument(card.script).then((doc) => {
    const text = doc ? inLanguage(doc.text, "") : "";
    fill(section, 
      h("h3", {}, t("Script") + ": " + (doc ? inLanguage(doc.name, card.script) : card.script)),
      text ? h("p", { class: "script-text" }, text) : h("p", { class: "muted" }, t("The script has no text yet.")));
  });
  return section;
}
