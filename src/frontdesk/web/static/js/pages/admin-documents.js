// Configuration documents of every kind (queues, calendars, webhooks, settings ...): the
// one editor and the one list. The form's controls are the document (forms.js reads
// them); the page says where the API keeps it (data-api) and under which key.
import { del, put } from "../api.js";
import { $, $$ } from "../dom.js";
import { bindForm, showError } from "../forms.js";
import { t } from "../i18n.js";
import { confirmAction, exists, goWithNotice, placed, refusal, rowError } from "./admin-common.js";

const url = (api, key) => `${api}/${encodeURIComponent(key)}`;

function editor(form) {
  const { api, kind, list } = form.dataset;
  const singleton = form.dataset.singleton === "true";
  const stored = form.dataset.key;

  bindForm(form, async (values) => {
    const key = stored || String(values.key || "").trim();
    delete values.key;
    if (!stored && (await exists(url(api, key)))) {
      throw refusal("key", t("There is already one with this id: {key}", { key }));
    }
    try {
      await put(url(api, key), values);
    } catch (error) {
      throw placed(error, form, `${kind}.${key}`);
    }
    return key;
  }, (key) => {
    if (singleton) goWithNotice(t("Settings saved"));
    else goWithNotice(t("Saved: {key}", { key }), list);
  });

  const remove = $("[data-delete]", form);
  if (remove) {
    remove.addEventListener("click", async () => {
      const question = singleton
        ? t("Restore the default settings? The values here are removed.")
        : t("Delete {key}? This cannot be undone.", { key: stored });
      const action = singleton ? t("Restore defaults") : t("Delete");
      if (!(await confirmAction(question, action))) return;
      try {
        await del(url(api, stored));
        if (singleton) goWithNotice(t("The defaults apply again"));
        else goWithNotice(t("Deleted: {key}", { key: stored }), list);
      } catch (error) {
        showError(form, error);
      }
    });
  }
}

function table(element) {
  const { api } = element.dataset;
  for (const button of $$("[data-delete]", element)) {
    button.addEventListener("click", async () => {
      const key = button.dataset.delete;
      if (!(await confirmAction(t("Delete {key}? This cannot be undone.", { key }), t("Delete")))) return;
      try {
        await del(url(api, key));
        goWithNotice(t("Deleted: {key}", { key }));
      } catch (error) {
        rowError(button.closest("tr"), error);
      }
    });
  }
}

const form = $("#document-form");
if (form) editor(form);
const documents = $("#documents");
if (documents) table(documents);
