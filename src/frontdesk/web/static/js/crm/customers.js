// Customers as the pages show them: names of categories and managers (from the page's
// #crm-names), badges, phone numbers grouped as dialled, the API's search.
import { get, query } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

const element = document.getElementById("crm-names");
const names = element ? JSON.parse(element.textContent) : { agents: {}, categories: {}, colors: {} };

export function agentName(id) {
  return id ? names.agents[id] || id : "";
}

export function isVip(customer) {
  return Boolean(customer.vip || customer.category === "VIP");
}

/** The VIP badge, the category's badge (its colour as a dot), the blacklist badge. */
export function badges(customer) {
  const shown = [];
  if (isVip(customer)) shown.push(h("span", { class: "badge badge-vip" }, names.categories.VIP || t("VIP")));
  if (customer.category && customer.category !== "VIP") {
    const color = names.colors[customer.category];
    shown.push(h("span", {
      class: "badge crm-category",
      style: color ? `--category-color: ${color}` : null,
    }, names.categories[customer.category] || customer.category));
  }
  if (customer.blacklisted) shown.push(h("span", { class: "badge badge-alarm" }, t("Blacklisted")));
  return shown;
}

/** +79161234567 → +7 916 123-45-67 (numbers of zone +7); other numbers as stored. */
export function phoneText(number) {
  const match = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(number || "");
  return match ? `+7 ${match[1]} ${match[2]}-${match[3]}-${match[4]}` : number || "";
}

/** Customers matching text, best first (typos, parts of numbers, any alphabet). */
export function searchCustomers(text, limit, signal) {
  return get("/customers" + query({ q: text, limit }), { signal });
}
