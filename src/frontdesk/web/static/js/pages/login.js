// Sign in through the API, then open the page that asked for it (or the start page).
import { post } from "../api.js";
import { $ } from "../dom.js";
import { bindForm } from "../forms.js";

const form = $("#login-form");
const remembered = localStorage.getItem("frontdesk.tenant");
if (remembered && form.tenant.value === form.tenant.defaultValue) form.tenant.value = remembered;

bindForm(
  form,
  (values) => post("/auth/login", values, { quiet: true }),
  () => {
    localStorage.setItem("frontdesk.tenant", form.tenant.value);
    location.assign(form.dataset.next || "/");
  },
);
