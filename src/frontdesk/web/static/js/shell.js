// What every page has: the language switch, signing out, live times.
import { patch, post } from "./api.js";
import { context } from "./context.js";
import { tick } from "./clock.js";
import { $ } from "./dom.js";
import { notify } from "./toast.js";
import { errorText } from "./forms.js";

const LANGUAGE_COOKIE = "frontdesk_lang";

async function switchLanguage(language) {
  document.cookie = `${LANGUAGE_COOKIE}=${language}; path=/; max-age=31536000; samesite=lax`;
  if (context.user) {
    try {
      await patch("/auth/me", { language });
    } catch (error) {
      notify(errorText(error), "error");
      return;
    }
  }
  location.reload();
}

function start() {
  const switcher = $("[data-language-switch]");
  if (switcher) switcher.addEventListener("change", () => switchLanguage(switcher.value));
  const logout = $("[data-logout]");
  if (logout) {
    logout.addEventListener("click", async () => {
      try {
        await post("/auth/logout");
      } finally {
        location.assign("/login");
      }
    });
  }
  tick();
}

start();
