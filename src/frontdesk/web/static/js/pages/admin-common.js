// What every administration page shares: notices that survive the page load after a
// change, the confirmation dialog, the API's field paths mapped to the form's controls,
// dialogs with forms, and the keyboard shortcuts (N: new, Ctrl+S: save).
import { ApiError, get } from "../api.js";
import { $, $$, h } from "../dom.js";
import { clearErrors, errorText } from "../forms.js";
import { notify } from "../toast.js";

const NOTICE = "frontdesk.admin.notice";

/** Open url (or this page again) and say message there once it has loaded. */
export function goWithNotice(message, url = null) {
  sessionStorage.setItem(NOTICE, message);
  if (url) location.assign(url);
  else location.reload();
}

function showNotice() {
  const message = sessionStorage.getItem(NOTICE);
  if (message) {
    sessionStorage.removeItem(NOTICE);
    notify(message, "ok");
  }
}

/** Ask before doing something that cannot be undone; resolves to true when confirmed. */
export function confirmAction(question, action) {
  const dialog = $("#confirm-dialog");
  $("#confirm-text", dialog).textContent = question;
  $("[data-confirm-button]", dialog).textContent = action;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

/**
 * The API names a field by its path in the document ("queues.sales.max_wait",
 * "body.url", "calendars.office.hours.mon-fri"): point it at the form's control instead
 * ("max_wait", "url", "hours"), so forms.js shows the refusal next to that control. A
 * refused key (config.invalid_key) belongs to the control named "key".
 */
export function placed(error, form, prefix = "") {
  if (!(error instanceof ApiError)) return error;
  const names = $$("[name]", form).map((control) => control.name);
  const place = (field) => {
    if (!field) return field;
    if (error.code === "config.invalid_key") return "key";
    let path = String(field).replace(/^body\./, "");
    if (prefix && path.startsWith(prefix + ".")) path = path.slice(prefix.length + 1);
    if (names.includes(path)) return path;
    const holder = names.filter((name) => path.startsWith(name + ".")).sort((a, b) => b.length - a.length)[0];
    return holder || path;
  };
  // Shown at its field, a message need not repeat the path: "queues.x.max_wait: must ..."
  const bare = (message, field) =>
    field && message.startsWith(field + ": ") ? message.slice(field.length + 2) : message;
  error.errors = error.errors.map((e) => ({ ...e, field: place(e.field), message: bare(e.message, e.field) }));
  if (error.problem.field || error.code === "config.invalid_key") {
    error.message = bare(error.message, error.problem.field);
    error.problem = { ...error.problem, field: place(error.problem.field || "key") };
  }
  return error;
}

/** A refusal of the API as an ApiError naming the control: for checks made here. */
export function refusal(field, message) {
  return new ApiError(409, { detail: message, field, code: "admin.refused" });
}

/** Whether path exists in the API (a document or an agent with that key). */
export async function exists(path) {
  try {
    await get(path);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

/** Show why an action on a table row was refused, in that row. */
export function rowError(row, error) {
  const cell = row.querySelector(".row-actions") || row.lastElementChild;
  $$(".field-error", cell).forEach((note) => note.remove());
  cell.append(h("p", { class: "field-error", role: "alert" }, errorText(error)));
}

/** Open a dialog holding a form: errors of last time cleared, its first field focused. */
export function openDialog(dialog) {
  const form = $("form", dialog);
  if (form) clearErrors(form);
  dialog.showModal();
  const first = $("input:not([type=hidden]):not([readonly]), select, textarea", dialog);
  if (first) first.focus();
}

function closeButtons() {
  for (const button of $$("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
}

/** Colour fields: the picker beside the text field follows it, and sets it. */
function colourPickers() {
  for (const picker of $$("[data-color-for]")) {
    const field = document.getElementById(picker.dataset.colorFor);
    picker.addEventListener("input", () => {
      field.value = picker.value;
    });
    field.addEventListener("input", () => {
      if (/^#[0-9a-f]{6}$/i.test(field.value)) picker.value = field.value;
    });
  }
}

/** Secret fields: "Generate" puts a long random secret there, shown to be copied. */
function secretGenerators() {
  for (const button of $$("[data-generate-for]")) {
    const field = document.getElementById(button.dataset.generateFor);
    button.addEventListener("click", () => {
      const bytes = crypto.getRandomValues(new Uint8Array(24));
      field.value = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      field.type = "text";
      field.focus();
      field.select();
    });
  }
}

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function shortcuts() {
  document.addEventListener("keydown", (event) => {
    const key = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && !event.altKey && key === "s") {
      const form = $("dialog[open] form[data-save-shortcut]") || $("form[data-save-shortcut]");
      if (form && (!form.closest("dialog") || form.closest("dialog").open)) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (key === "n" && !event.ctrlKey && !event.metaKey && !event.altKey
        && !typing(event.target) && !$("dialog[open]")) {
      const create = $("[data-shortcut=n]");
      if (create) {
        event.preventDefault();
        create.click();
      }
    }
  });
}

showNotice();
closeButtons();
colourPickers();
secretGenerators();
shortcuts();
