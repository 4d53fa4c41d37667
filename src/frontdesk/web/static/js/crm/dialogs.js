// Dialogs: a button with data-open="<dialog id>" opens one as a modal, a [data-close]
// button in it closes it (Escape too, natively). Delegated, so buttons that a refresh
// puts back on the page keep working.

export function openDialog(id) {
  const dialog = document.getElementById(id);
  if (!dialog || dialog.open) return null;
  dialog.showModal();
  const first = dialog.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
  if (first) first.focus();
  dialog.dispatchEvent(new CustomEvent("opened"));
  return dialog;
}

export function bindDialogs() {
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-open]");
    if (opener) {
      openDialog(opener.dataset.open);
      return;
    }
    const closer = event.target.closest("[data-close]");
    if (closer) closer.closest("dialog")?.close();
  });
}
