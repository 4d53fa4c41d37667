// Parts of a server-rendered page brought up to date after a change: the page is asked
// for again and the elements with the given ids are replaced by their new versions.
// The HTML is the server's own page (rendered by Jinja, autoescaped); no data is ever
// put into markup here.

export async function refreshParts(...ids) {
  const response = await fetch(location.href, {
    headers: { Accept: "text/html" },
    credentials: "same-origin",
    cache: "no-store",
  });
  if (response.redirected && new URL(response.url).pathname.startsWith("/login")) {
    location.assign(response.url);
    return false;
  }
  if (!response.ok) return false;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const id of ids) {
    const fresh = page.getElementById(id);
    const old = document.getElementById(id);
    if (fresh && old) old.replaceWith(document.importNode(fresh, true));
  }
  return true;
}
