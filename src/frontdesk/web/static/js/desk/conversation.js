// The written conversation of a chat, e-mail or messenger contact: its messages, kept in
// order by their event seq (the list read once, then each contact.message event), and a
// box to answer. Enter sends, Shift+Enter starts a new line.
import { get, post } from "../api.js";
import { context } from "../context.js";
import { fill, h } from "../dom.js";
import { errorText } from "../forms.js";
import { fmt, t } from "../i18n.js";

const MAX_MESSAGE = 10000;

export class Conversation {
  constructor(contact, { onIncoming, drafts }) {
    this.contact = contact;
    this.messages = new Map(); // key -> message
    this.onIncoming = onIncoming;
    this.drafts = drafts;
    this.list = h("ol", { class: "chat-log", role: "log", "aria-live": "polite", "aria-label": t("Conversation") });
    this.error = h("p", { class: "field-error", role: "alert", hidden: true });
    this.box = h("textarea", {
      id: `compose-${contact}`, rows: "2", maxlength: String(MAX_MESSAGE), class: "chat-input",
      placeholder: t("Write a reply…"), onkeydown: (event) => this.key(event),
      oninput: () => this.drafts.set("reply", this.box.value),
    });
    this.box.value = this.drafts.get("reply") || "";
    this.send = h("button", { type: "submit", class: "btn btn-primary" }, t("Send"));
    this.form = h("form", { class: "chat-compose", onsubmit: (event) => this.submit(event) },
      h("label", { class: "visually-hidden", for: this.box.id }, t("Reply")),
      this.box, this.send);
    this.element = h("section", { class: "pane-chat", "aria-label": t("Conversation") }, this.list, this.error, this.form);
  }

  async load() {
    this.error.hidden = true;
    try {
      for (const message of await get(`/contacts/${this.contact}/messages`)) this.add(message, false);
    } catch (error) {
      this.error.textContent = errorText(error); // what is shown stays
      this.error.hidden = false;
    }
  }

  /** A message from the list or from a contact.message event (shown once). */
  add(message, live = true) {
    const key = message.seq ? `s${message.seq}` : `first`;
    if (this.messages.has(key)) return;
    this.messages.set(key, message);
    const ordered = [...this.messages.values()].sort((a, b) => (a.seq || 0) - (b.seq || 0));
    const stuck = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    fill(this.list, ...ordered.map(bubble));
    if (stuck || !live || message.direction === "out") this.list.scrollTop = this.list.scrollHeight;
    if (live && message.direction === "in") this.onIncoming();
  }

  /** The reply box can be used (the agent serves the contact, not in wrap-up). */
  enable(writable) {
    this.box.disabled = !writable;
    this.send.disabled = !writable;
    this.form.hidden = !writable;
  }

  key(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.form.requestSubmit();
    }
  }

  async submit(event) {
    event.preventDefault();
    const text = this.box.value;
    if (!text.trim()) return;
    this.send.disabled = true;
    this.error.hidden = true;
    try {
      const message = await post(`/contacts/${this.contact}/messages`, { text });
      this.box.value = "";
      this.drafts.set("reply", "");
      this.add(message);
    } catch (error) {
      this.error.textContent = errorText(error); // the text stays in the box
      this.error.hidden = false;
    } finally {
      this.send.disabled = false;
      this.box.focus();
    }
  }
}

function bubble(message) {
  const incoming = message.direction === "in";
  const mine = !incoming && message.author === context.user;
  return h("li", { class: `chat-message ${incoming ? "chat-in" : "chat-out"}` },
    message.subject ? h("p", { class: "chat-subject" }, message.subject) : null,
    message.text ? h("p", { class: "chat-text" }, message.text) : null,
    h("p", { class: "chat-meta" },
      incoming ? h("span", { class: "visually-hidden" }, t("Customer")) : h("span", { class: mine ? "visually-hidden" : null }, mine ? t("You") : message.author),
      " ", h("time", { datetime: message.at }, fmt.time(message.at))));
}
