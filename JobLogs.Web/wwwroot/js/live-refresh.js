// Keeps parts of a page current: an element with data-refresh="<url>" and data-refresh-every="<ms>" (0: stop) gets its
// content again from that url (a page handler answering the partial) while the tab is visible. Content is swapped only
// when it changed, and open <details> stay open.
const last = new WeakMap();

export async function refreshNow(element) {
  try {
    const response = await fetch(element.dataset.refresh, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const html = await response.text();
    if (last.get(element) === html) return;
    last.set(element, html);
    const open = [...element.querySelectorAll("details")].map(d => d.open);
    element.innerHTML = html;
    element.querySelectorAll("details").forEach((d, i) => { if (open[i]) d.open = true; });
    element.dispatchEvent(new CustomEvent("refreshed", { bubbles: true }));
  } catch {
    // The next round tries again; a page left open over a restart recovers by itself.
  }
}

function schedule(element) {
  const every = Number(element.dataset.refreshEvery || 0);
  if (every <= 0) return;
  setTimeout(async () => {
    if (!document.hidden) await refreshNow(element);
    schedule(element);
  }, every);
}

document.querySelectorAll("[data-refresh]").forEach(schedule);
