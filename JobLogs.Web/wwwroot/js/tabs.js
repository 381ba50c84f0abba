// Tabs: a button[data-tab="x"] shows the [data-panel="x"] beside it and hides the others; a log viewer in a panel
// starts loading when its panel is first shown.
document.addEventListener("click", event => {
  const tab = event.target.closest("[data-tab]");
  if (!tab) return;
  const scope = tab.closest("section") ?? document;
  for (const other of scope.querySelectorAll("[data-tab]")) other.setAttribute("aria-selected", String(other === tab));
  for (const panel of scope.querySelectorAll("[data-panel]")) {
    panel.hidden = panel.dataset.panel !== tab.dataset.tab;
    if (!panel.hidden) panel.querySelectorAll(".log-viewer").forEach(v => v.dispatchEvent(new Event("log:activate")));
  }
});

// A permalink to a line of another tab's log (#worker-offset-N) opens that tab first.
const linked = document.querySelector(`[data-tab="${location.hash.replace(/^#([a-z]+)-offset-\d+$/, "$1")}"]`);
if (linked && /-offset-\d+$/.test(location.hash)) linked.click();
