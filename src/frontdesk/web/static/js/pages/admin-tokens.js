// API tokens: a new token is shown once, in a dialog with a copy button; the list is
// read again when the dialog closes, so the token leaves the page with it. Revoking asks
// first.
import { del, post } from "../api.js";
import { $, $$ } from "../dom.js";
import { bindForm } from "../forms.js";
import { t } from "../i18n.js";
import { confirmAction, goWithNotice, rowError } from "./admin-common.js";

const dialog = $("#token-dialog");
const value = $("#token-value");
const copied = $("#copy-state");

bindForm($("#token-form"), (values) => post("/tokens", values), (created) => {
  value.value = created.token;
  copied.textContent = "";
  dialog.showModal();
  value.focus();
  value.select();
});

$("#copy-token").addEventListener("click", async () => {
  value.select();
  try {
    await navigator.clipboard.writeText(value.value);
  } catch {
    // No clipboard API (a page not served over HTTPS or localhost): the old way.
    document.execCommand("copy");
  }
  copied.textContent = t("Copied to the clipboard");
});

dialog.addEventListener("close", () => {
  value.value = "";
  goWithNotice(t("The token is ready to use"));
});

for (const button of $$("[data-revoke]")) {
  button.addEventListener("click", async () => {
    const name = button.dataset.name;
    const question = t("Revoke the token {name}? Whatever uses it is refused from now on; this cannot be undone.", { name });
    if (!(await confirmAction(question, t("Revoke")))) return;
    try {
      await del(`/tokens/${encodeURIComponent(button.dataset.revoke)}`);
      goWithNotice(t("Revoked: {name}", { name }));
    } catch (error) {
      rowError(button.closest("tr"), error);
    }
  });
}
