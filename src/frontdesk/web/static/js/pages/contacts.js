// The contact search: the customer filter is chosen by searching; / goes to the number.
import { serverNow, tick } from "../clock.js";
import { $ } from "../dom.js";
import { customerPicker } from "../crm/picker.js";
import { shortcuts } from "../crm/keys.js";

serverNow($("[data-server-now]").dataset.serverNow);
tick();
customerPicker($("#contact-filters [data-picker]"));
shortcuts({
  "/": () => {
    const field = $("#f-number");
    field.focus();
    field.select();
  },
});
