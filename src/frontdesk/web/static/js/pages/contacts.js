// The contact search: the customer filter is chosen by searching, empty filters stay out
// of the address; / goes to the number.
import { ApiError } from "../api.js";
import { serverNow, tick } from "../clock.js";
import { $ } from "../dom.js";
import { showError } from "../forms.js";
import { t } from "../i18n.js";
import { customerPicker } from "../crm/picker.js";
import { shortcuts } from "../crm/keys.js";

serverNow($("[data-server-now]").dataset.serverNow);
tick();
const filters = $("#contact-filters");
customerPicker($("[data-picker]", filters));
// filters left empty stay out of the address: /contacts?channel=chat, not ?channel=chat&queue=&...
filters.addEventListener("submit", (event) => {
  const picker = $("[data-picker]", filters);
  if ($("input[role=combobox]", picker).value.trim() && !$("[data-picker-value]", picker).value) {
    event.preventDefault(); // a name typed but no customer chosen would search for everyone
    showError(filters, new ApiError(422, { detail: t("Choose the customer from the list, or clear the field.") }));
    return;
  }
  for (const control of filters.elements) {
    if (control.name && control.type !== "checkbox" && !control.value) control.disabled = true;
  }
});
// the form comes back from the browser's history as it was sent: usable again
window.addEventListener("pageshow", () => {
  for (const control of filters.elements) control.disabled = false;
});
shortcuts({
  "/": () => {
    const field = $("#f-number");
    field.focus();
    field.select();
  },
});
