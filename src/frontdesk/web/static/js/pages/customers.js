// The customer search: results as you type (the API's fuzzy search), all customers a
// page at a time when the box is empty, a new customer, and the CSV files for admins.
// Keys: / search, ↓/↑ through the results, Enter opens one, N new customer.
import { ApiError, get, post, query } from "../api.js";
import { csrfToken } from "../context.js";
import { $, $$, debounce, fill, h } from "../dom.js";
import { bindForm } from "../forms.js";
import { fmt, t, tn } from "../i18n.js";
import { agentName, badges, isVip, phoneText, searchCustomers } from "../crm/customers.js";
import { placed } from "../crm/customer-form.js";
import { bindDialogs, openDialog } from "../crm/dialogs.js";
import { shortcuts } from "../crm/keys.js";

const SEARCH_PAGE = 20;
const BROWSE_PAGE = 25;
const MOST = 200;

const box = $("#q");
const status = $("#search-status");
const table = $("#results");
const wrap = $("#results-wrap");
const more = $("#more");
const previous = $("#previous");
let limit = SEARCH_PAGE;
let offset = 0;
let controller = null;

function row(customer) {
  const href = `/customers/${encodeURIComponent(customer.id)}`;
  return h("tr", { class: isVip(customer) ? "crm-vip" : null },
    h("td", {}, h("a", { href, class: "crm-name" }, customer.name)),
    h("td", {}, badges(customer)),
    h("td", {}, customer.company),
    h("td", { class: "crm-nowrap" }, customer.phones.map((number) => h("div", {}, phoneText(number)))),
    h("td", {}, customer.emails.map((address) => h("div", {}, address))),
    h("td", {}, agentName(customer.manager)));
}

function remember(text) {
  const address = text ? "/customers" + query({ q: text }) : "/customers";
  history.replaceState(null, "", address);
}

async function run() {
  const text = box.value.trim();
  remember(text);
  controller?.abort();
  controller = new AbortController();
  status.textContent = t("Searching…");
  let found;
  try {
    found = text
      ? await searchCustomers(text, limit, controller.signal)
      : await get("/customers" + query({ limit: BROWSE_PAGE, offset }), { signal: controller.signal });
  } catch (error) {
    if (error.name === "AbortError") return;
    status.textContent = error instanceof ApiError ? error.message : t("The server cannot be reached. Check the connection and try again.");
    return;
  }
  fill(table.tBodies[0], found.map(row));
  wrap.hidden = found.length === 0;
  if (text) {
    status.textContent = found.length
      ? tn("{n} customer found", "{n} customers found", found.length, { n: fmt.number(found.length) })
      : t("Nobody matches “{text}”. Check the spelling, or search by phone or e-mail.", { text });
    more.textContent = t("Show more");
    more.hidden = found.length < limit || limit >= MOST;
    previous.hidden = true;
  } else {
    status.textContent = found.length
      ? t("All customers, {first}–{last}", { first: fmt.number(offset + 1), last: fmt.number(offset + found.length) })
      : t("There are no customers yet.");
    more.textContent = t("Next");
    more.hidden = found.length < BROWSE_PAGE;
    previous.hidden = offset === 0;
  }
}

const later = debounce(run, 250);
box.addEventListener("input", () => {
  limit = SEARCH_PAGE;
  offset = 0;
  later();
});
$("#customer-search").addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
more.addEventListener("click", () => {
  if (box.value.trim()) limit = Math.min(limit + SEARCH_PAGE * 2, MOST);
  else offset += BROWSE_PAGE;
  run();
});
previous.addEventListener("click", () => {
  offset = Math.max(0, offset - BROWSE_PAGE);
  run();
});

// ↓ from the box to the results, ↑/↓ between them, ↑ from the first back to the box.
function resultLinks() {
  return $$("a.crm-name", table);
}
box.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown" && resultLinks().length) {
    event.preventDefault();
    resultLinks()[0].focus();
  } else if (event.key === "Escape" && box.value) {
    box.value = "";
    run();
  }
});
table.addEventListener("keydown", (event) => {
  const links = resultLinks();
  const index = links.indexOf(document.activeElement);
  if (index < 0 || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
  event.preventDefault();
  const next = index + (event.key === "ArrowDown" ? 1 : -1);
  if (next < 0) box.focus();
  else links[Math.min(next, links.length - 1)].focus();
});

function focusSearch() {
  box.focus();
  box.select();
}

// --- a new customer ---------------------------------------------------------------------------

const creating = $("#new-customer-form");
if (creating) {
  $("#new-customer").addEventListener("opened", () => {
    // what was searched for is most likely the new customer's phone, address or name
    const text = box.value.trim();
    if (!text || creating.name.value || creating.phones.value || creating.emails.value) return;
    if (text.includes("@")) creating.emails.value = text;
    else if (/^[\d\s()+\-.]+$/.test(text)) creating.phones.value = text;
    else creating.name.value = text;
  });
  bindForm(
    creating,
    async (values) => {
      try {
        return await post("/customers", values);
      } catch (error) {
        throw placed(error);
      }
    },
    (customer) => location.assign(`/customers/${encodeURIComponent(customer.id)}`),
  );
}

// --- the CSV files ------------------------------------------------------------------------------

const PROBLEMS = {
  "csv.too_many_cells": () => t("More cells than the header has columns"),
  "customer.merged": () => t("This customer was merged into another one"),
  "customer.name_required": () => t("The name is empty"),
  "csv.invalid_boolean": () => t("Not a yes/no value"),
  "customer.invalid_phone": () => t("Not a phone number that can be called"),
  "customer.invalid_email": () => t("Not an e-mail address"),
  "csv.invalid_messenger": () => t("Not a messenger id (network:id)"),
  "customer.identity_taken": () => t("Belongs to another customer"),
  "csv.duplicate_id": () => t("Repeats an earlier line"),
  "csv.duplicate_phone": () => t("Repeats an earlier line"),
  "csv.duplicate_email": () => t("Repeats an earlier line"),
  "csv.duplicate_messenger": () => t("Repeats an earlier line"),
};

function report(result) {
  const summary = h("p", { class: "crm-import-summary" }, t(
    "Created: {created}. Updated: {updated}. Unchanged: {unchanged}. Refused: {refused}.",
    {
      created: fmt.number(result.created),
      updated: fmt.number(result.updated),
      unchanged: fmt.number(result.unchanged),
      refused: fmt.number(result.errors.length),
    },
  ));
  if (!result.errors.length) return [summary];
  return [summary, h("div", { class: "table-wrap crm-import-errors" }, h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, t("Lines not imported")),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", class: "num" }, t("Line in the file")),
      h("th", { scope: "col" }, t("Problem")),
      h("th", { scope: "col" }, t("Details")))),
    h("tbody", {}, result.errors.map((error) => h("tr", {},
      h("td", { class: "num" }, error.line),
      h("td", {}, (PROBLEMS[error.code] || (() => error.code))()),
      h("td", { class: "muted" }, error.reason))))))];
}

const importing = $("#import-form");
if (importing) {
  const output = $("#import-report");
  bindForm(importing, async (values, form) => {
    const file = form.file.files[0];
    if (!file) {
      throw new ApiError(422, { detail: t("Choose a CSV file."), field: "file", code: "import.no_file" });
    }
    fill(output, h("p", { class: "muted" }, t("Importing…")));
    const response = await fetch("/api/v1/customers/import", {
      method: "POST",
      headers: { "Content-Type": "text/csv", Accept: "application/json", "X-CSRF-Token": csrfToken() },
      body: await file.text(),
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({ detail: response.statusText }));
    if (!response.ok) {
      fill(output);
      throw new ApiError(response.status, body);
    }
    return body;
  }, (result) => {
    fill($("#import-report"), report(result));
    run();
  });
}

bindDialogs();
shortcuts({
  "/": focusSearch,
  n: () => openDialog("new-customer"),
});
run();
if (!box.value) box.focus();
