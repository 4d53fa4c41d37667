// The customer card: edit the customer, add notes and purchases, merge a duplicate in.
// Every change goes through the API; the parts of the page it changes are then read
// again from the server. Keys: E edit, N new note, M merge, / search customers.
import { ApiError, post, put } from "../api.js";
import { serverNow, tick } from "../clock.js";
import { $ } from "../dom.js";
import { bindForm, clearErrors } from "../forms.js";
import { t } from "../i18n.js";
import { notify } from "../toast.js";
import { placed } from "../crm/customer-form.js";
import { bindDialogs, openDialog } from "../crm/dialogs.js";
import { shortcuts } from "../crm/keys.js";
import { customerPicker } from "../crm/picker.js";
import { refreshParts } from "../crm/refresh.js";
import { zonedToIso } from "../zoned.js";

const root = $("#customer");
const id = root.dataset.customer;
const base = `/customers/${encodeURIComponent(id)}`;
serverNow(root.dataset.serverNow);

async function refreshed(...parts) {
  await refreshParts(...parts);
  tick();
}

/** What the form holds now becomes what it goes back to when reset. */
function keepAsDefaults(form) {
  for (const control of form.elements) {
    if (control.type === "checkbox" || control.type === "radio") control.defaultChecked = control.checked;
    else if (control.tagName === "SELECT") Array.from(control.options).forEach((o) => (o.defaultSelected = o.selected));
    else if ("defaultValue" in control) control.defaultValue = control.value;
  }
}

const editing = $("#edit-form");
if (editing) {
  // closed without saving: the form shows the customer as saved again
  $("#edit-dialog").addEventListener("close", () => {
    editing.reset();
    clearErrors(editing);
  });
  bindForm(editing, async (values) => {
    try {
      return await put(base, values);
    } catch (error) {
      throw placed(error);
    }
  }, async () => {
    keepAsDefaults(editing);
    $("#edit-dialog").close();
    await refreshed("card-head", "details");
    notify(t("Saved."), "ok");
  });
}

const noting = $("#note-form");
if (noting) {
  bindForm(noting, (values) => post(`${base}/notes`, values), async (note, form) => {
    form.reset();
    await refreshed("notes-list");
    notify(t("The note is added."), "ok");
  });
}

const buying = $("#purchase-form");
if (buying) {
  bindForm(buying, (values) => {
    const purchase = { ...values, amount: String(values.amount || "").replace(/\s/g, "").replace(",", ".") };
    if (values.at) purchase.at = zonedToIso(values.at);
    else delete purchase.at;
    return post(`${base}/purchases`, purchase);
  }, async (purchase, form) => {
    form.reset();
    await refreshed("purchases-list");
    notify(t("The purchase is added."), "ok");
  });
}

// Click-to-call: a callback for oneself, due now. The agent's phone rings first; the
// customer is dialled when the agent answers.
for (const button of root.querySelectorAll("[data-call]")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await post("/callbacks", {
        number: button.dataset.call, customer: id, due_at: new Date().toISOString(),
        note: t("Called from the customer card"),
      });
      notify(t("Your phone rings when you are ready; answer it to call the customer."), "ok");
      await refreshed("callbacks");
    } catch (error) {
      notify(error instanceof ApiError ? error.message : String(error), "error");
    } finally {
      button.disabled = false;
    }
  });
}

const merging = $("#merge-form");
if (merging) {
  const button = merging.querySelector("button[type=submit]");
  const choice = $("#merge-choice");
  const picker = customerPicker(merging.querySelector("[data-picker]"), {
    exclude: id,
    onChoose(customer) {
      button.disabled = !customer;
      choice.textContent = customer
        ? t("{duplicate} will be merged into {customer}.", { duplicate: customer.name, customer: root.dataset.name })
        : "";
    },
  });
  $("#merge-dialog").addEventListener("close", () => {
    picker.clear();
    choice.textContent = "";
    button.disabled = true;
  });
  bindForm(merging, (values) => {
    if (!values.duplicate) throw new ApiError(422, { detail: t("Choose the duplicate first.") });
    return post(`${base}/merge`, values);
  }, () => location.reload());
}

bindDialogs();
shortcuts({
  "/": () => location.assign("/customers"),
  e: () => openDialog("edit-dialog"),
  m: () => openDialog("merge-dialog"),
  n: () => $("#note-text")?.focus(),
});
