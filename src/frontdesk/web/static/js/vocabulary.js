// The names people read for the service's codes (as in frontdesk/web/ui/vocabulary.py).
import { t } from "./i18n.js";

export const AGENT_STATES = {
  ready: t("Ready"),
  not_ready: t("Not ready"),
  reserved: t("Ringing"),
  busy: t("Busy"),
  wrap_up: t("Wrap-up"),
  logged_out: t("Logged out"),
};

export const CONTACT_STATES = {
  arrived: t("Arrived"),
  enriched: t("Identified"),
  queued: t("Waiting"),
  offered: t("Ringing"),
  connected: t("In progress"),
  wrap_up: t("Wrap-up"),
  closed: t("Closed"),
  rejected: t("Rejected"),
  abandoned: t("Abandoned"),
  self_served: t("Self-served"),
  callback_scheduled: t("Callback scheduled"),
  transferred: t("Transferred"),
};

export const CHANNELS = {
  voice: t("Call"),
  callback: t("Web callback"),
  chat: t("Chat"),
  email: t("E-mail"),
  sms: t("SMS"),
  messenger: t("Messenger"),
  social: t("Social"),
  webhook: t("Webhook"),
};

/** A configuration document's name in the page's language: {"en": …, "ru": …} or a code. */
export function localName(document, code, locale) {
  const names = (document && document.name) || {};
  return names[locale] || names.en || Object.values(names)[0] || code;
}
