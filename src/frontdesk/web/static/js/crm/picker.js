// Choosing a customer by searching: a combobox ([data-picker]) with a text field, a
// hidden field that gets the chosen id ([data-picker-value]) and a listbox of matches.
// ↓/↑ move through the matches, Enter chooses, Escape closes the list.
import { debounce, h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { notify } from "../toast.js";
import { errorText } from "../forms.js";
import { phoneText, searchCustomers } from "./customers.js";

const SHOWN = 8;

export function customerPicker(root, { exclude = "", onChoose = () => {} } = {}) {
  const input = root.querySelector("input[role=combobox]");
  const value = root.querySelector("[data-picker-value]");
  const list = root.querySelector("[role=listbox]");
  let found = [];
  let active = -1;
  let controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.from(list.children).forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    const option = list.children[index];
    if (option && option.id) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  function choose(customer) {
    value.value = customer.id;
    input.value = customer.name;
    close();
    onChoose(customer);
  }

  function show() {
    const options = found.map((customer, index) => h("li", {
      id: `${list.id}-${index}`,
      role: "option",
      "aria-selected": "false",
      onmousedown: (event) => event.preventDefault(), // keep the focus in the field
      onclick: () => choose(customer),
    },
    h("span", { class: "crm-option-name" }, customer.name),
    h("span", { class: "muted" }, [customer.company, ...customer.phones.slice(0, 1).map(phoneText), customer.emails[0]]
      .filter(Boolean).join(" · "))));
    fill(list, options.length ? options : h("li", { class: "crm-option-none", role: "presentation" }, t("Nobody matches.")));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(found.length ? 0 : -1);
  }

  const search = debounce(async () => {
    const text = input.value.trim();
    if (!text) {
      close();
      return;
    }
    controller?.abort();
    controller = new AbortController();
    try {
      const customers = await searchCustomers(text, SHOWN + 1, controller.signal);
      found = customers.filter((c) => c.id !== exclude).slice(0, SHOWN);
      show();
    } catch (error) {
      if (error.name !== "AbortError") notify(errorText(error), "error");
    }
  }, 200);

  input.addEventListener("input", () => {
    if (value.value) {
      value.value = "";
      onChoose(null);
    }
    search();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) {
        if (input.value.trim()) search();
        return;
      }
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      if (found.length) highlight((active + step + found.length) % found.length);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(found[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      event.stopPropagation(); // the list closes, not the dialog around it
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  return { clear() { value.value = ""; input.value = ""; close(); } };
}
