// Users and roles: create, edit, reset a password, deactivate or activate. The API keeps
// the rules (the last admin stays, passwords are long enough ...) and its refusals are
// shown in the dialog or the row where the change was asked for.
import { patch, post } from "../api.js";
import { $, $$ } from "../dom.js";
import { bindForm } from "../forms.js";
import { t } from "../i18n.js";
import { confirmAction, goWithNotice, openDialog, rowError } from "./admin-common.js";

const dialog = $("#user-dialog");
const form = $("#user-form");
const title = $("#user-dialog-title");
let editing = null; // the user being edited; null: a new one

function userOf(row) {
  return JSON.parse(row.dataset.user);
}

/** The same form creates and edits: only a new user gets a username and a password. */
function openUserForm(user) {
  editing = user;
  form.reset();
  for (const part of $$("[data-only=new]", form)) {
    part.hidden = Boolean(user);
    $$("input", part).forEach((input) => (input.disabled = Boolean(user)));
  }
  title.textContent = user ? title.dataset.titleEdit : title.dataset.titleNew;
  if (user) {
    const control = (name) => form.elements.namedItem(name);
    control("name").value = user.name;
    control("role").value = user.role;
    control("language").value = user.language;
    control("agent").value = user.agent || "";
  }
  openDialog(dialog);
}

bindForm(form, (values) => {
  if (!editing) return post("/users", values);
  return patch(`/users/${encodeURIComponent(editing.id)}`, values);
}, (user) => {
  dialog.close();
  goWithNotice(editing ? t("Saved: {key}", { key: user.username }) : t("User {name} created", { name: user.username }));
});

$("[data-new-user]").addEventListener("click", () => openUserForm(null));

const passwordDialog = $("#password-dialog");
const passwordForm = $("#password-form");
let resetting = null;

bindForm(passwordForm, (values) => patch(`/users/${encodeURIComponent(resetting.id)}`, values), () => {
  passwordDialog.close();
  goWithNotice(t("The password of {name} is changed", { name: resetting.username }));
});

for (const row of $$("#users tbody tr")) {
  const user = userOf(row);
  $("[data-edit]", row).addEventListener("click", () => openUserForm(user));
  $("[data-password]", row).addEventListener("click", () => {
    resetting = user;
    passwordForm.reset();
    $("[data-for-user]", passwordDialog).textContent = t("For {name}", { name: user.username });
    openDialog(passwordDialog);
  });
  const toggle = $("[data-active]", row);
  toggle.addEventListener("click", async () => {
    const active = toggle.dataset.active === "true";
    if (!active) {
      const question = t("Deactivate {name}? They are signed out at once and cannot sign in until activated again.", { name: user.username });
      if (!(await confirmAction(question, t("Deactivate")))) return;
    }
    try {
      await patch(`/users/${encodeURIComponent(user.id)}`, { active });
      goWithNotice(active ? t("{name} may sign in again", { name: user.username }) : t("{name} is deactivated", { name: user.username }));
    } catch (error) {
      rowError(row, error);
    }
  });
}
