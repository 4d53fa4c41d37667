// Keyboard shortcuts of the customers and contacts pages: single keys, taken only while
// the user is not typing and no dialog is open (docs/ui/customers.md lists them).

export function typing(element) {
  if (!element || !element.tagName) return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag !== "input") return false;
  return !["checkbox", "radio", "button", "submit", "reset", "file"].includes(element.type);
}

/** keys: {"/": action, "e": action, ...}; letters match in either case. */
export function shortcuts(keys) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const action = keys[key];
    if (!action) return;
    event.preventDefault();
    action(event);
  });
}
