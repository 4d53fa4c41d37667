// Short notices in the corner: done, or what went wrong (read out by screen readers).
import { h } from "./dom.js";

export function notify(message, kind = "info", seconds = 5) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const toast = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null }, message);
  box.append(toast);
  setTimeout(() => toast.remove(), seconds * 1000);
}
