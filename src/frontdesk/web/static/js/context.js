// What the page was rendered for: language, time zone, who is signed in, the messages
// of the scripts in the page's language. Read once from the page's #fd-context.
const element = document.getElementById("fd-context");

export const context = Object.freeze(element ? JSON.parse(element.textContent) : {});

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}
