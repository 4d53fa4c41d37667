// Forms that talk to the API: their values as JSON, and the API's refusals shown where
// they belong — next to the field the problem names, else at the top of the form.
import { ApiError } from "./api.js";
import { $, $$, h } from "./dom.js";
import { t } from "./i18n.js";

/**
 * The form's values as a JSON object. Each named, enabled control is read by its
 * data-type: text (default; "" is left out when data-optional), number, int, bool
 * (a checkbox), list (a value a line in a textarea; comma-separated in a field), map
 * (lines "key: value"), json.
 * A dotted name nests: "name.en" → {name: {en: …}}. Unchecked radios are skipped.
 */
export function formValues(form) {
  const values = {};
  for (const control of $$("[name]", form)) {
    if (control.disabled || !("value" in control)) continue;
    if (control.type === "radio" && !control.checked) continue;
    const value = readControl(control);
    if (value === undefined) continue;
    setPath(values, control.name, value);
  }
  return values;
}

function readControl(control) {
  const type = control.dataset.type || (control.type === "checkbox" ? "bool" : "text");
  const raw = control.value;
  const empty = raw.trim() === "";
  if (type === "bool") return control.checked;
  if (control.multiple) return Array.from(control.selectedOptions, (o) => o.value);
  if (empty && control.dataset.optional !== undefined) return control.dataset.optional === "null" ? null : undefined;
  switch (type) {
    case "number": return empty ? null : Number(raw);
    case "int": return empty ? null : parseInt(raw, 10);
    // A box of lines holds a value a line (a value may hold a comma); a field, a,b,c.
    case "list": return raw.split(control.tagName === "TEXTAREA" ? /\n/ : /[\n,]/)
      .map((s) => s.trim()).filter(Boolean);
    case "map": return parseMap(raw, control.dataset.values === "int");
    case "json": return empty ? null : JSON.parse(raw);
    default: return raw;
  }
}

function parseMap(text, integers) {
  const map = {};
  for (const line of text.split("\n")) {
    const match = line.match(/^\s*([^:=]+?)\s*[:=]\s*(.*?)\s*$/);
    if (!match) continue;
    map[match[1]] = integers && /^-?\d+$/.test(match[2]) ? parseInt(match[2], 10) : match[2];
  }
  return map;
}

function setPath(target, name, value) {
  const parts = name.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts.at(-1)] = value;
}

/** Lines "key: value" for a map control. */
export function mapText(map) {
  return Object.entries(map || {}).map(([key, value]) => `${key}: ${value}`).join("\n");
}

export function clearErrors(form) {
  for (const element of $$(".field-error", form)) element.remove();
  for (const control of $$("[aria-invalid]", form)) {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  }
  const top = $(".form-error", form);
  if (top) {
    top.hidden = true;
    top.textContent = "";
  }
}

/** Show why the API refused: at the fields it names, the rest at the top of the form. */
export function showError(form, error) {
  clearErrors(form);
  const unplaced = [];
  const fields = error instanceof ApiError
    ? [...error.errors.map((e) => ({ field: e.field, message: e.message })),
       ...(error.problem.field ? [{ field: error.problem.field, message: error.message }] : [])]
    : [];
  for (const { field, message } of fields) {
    const control = controlFor(form, field);
    if (control) markInvalid(control, message);
    else unplaced.push(message);
  }
  if (!fields.length || unplaced.length) {
    const top = $(".form-error", form) || form.prepend(h("p", { class: "form-error", role: "alert" })) || $(".form-error", form);
    top.textContent = fields.length ? unplaced.join("; ") : errorText(error);
    top.hidden = false;
  }
  const first = $("[aria-invalid]", form);
  if (first) first.focus();
}

export function errorText(error) {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return t("The server cannot be reached. Check the connection and try again.");
  return String(error && error.message ? error.message : error);
}

function controlFor(form, field) {
  if (!field) return null;
  const path = String(field).replace(/^body\./, "");
  let best = null;
  for (const control of $$("[name]", form)) {
    const name = control.name;
    if (path === name || path.endsWith("." + name)) {
      if (!best || name.length > best.name.length) best = control;
    }
  }
  return best;
}

function markInvalid(control, message) {
  const id = (control.id || control.name.replace(/\W/g, "-")) + "-error";
  control.setAttribute("aria-invalid", "true");
  control.setAttribute("aria-describedby", id);
  const note = h("p", { class: "field-error", id }, message);
  (control.closest(".field") || control.parentElement).append(note);
}

/**
 * On submit: clear old errors, disable the submit buttons, await action(values, form);
 * show a refusal in place; call onDone(result) after success.
 */
export function bindForm(form, action, onDone) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const buttons = $$("button[type=submit], button:not([type])", form);
    buttons.forEach((b) => (b.disabled = true));
    try {
      const result = await action(formValues(form), form, event.submitter);
      if (onDone) await onDone(result, form);
    } catch (error) {
      showError(form, error);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
}
