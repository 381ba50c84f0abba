// Times people read at a glance: <time data-relative datetime="…"> shows "3 min ago", with UTC and local time on hover.
export function relativeTime(date, now = Date.now()) {
  const seconds = Math.round((now - date) / 1000);
  const abs = Math.abs(seconds);
  const suffix = seconds >= 0 ? " ago" : " from now";
  if (abs < 5) return "just now";
  if (abs < 60) return `${abs} s${suffix}`;
  if (abs < 3600) return `${Math.floor(abs / 60)} min${suffix}`;
  if (abs < 86400) return `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min${suffix}`;
  return `${Math.floor(abs / 86400)} d${suffix}`;
}

export function instantTitle(date) {
  return `${new Date(date).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z")} UTC\n${new Date(date).toLocaleString()} local`;
}

function render() {
  for (const time of document.querySelectorAll("time[data-relative]")) {
    const date = Date.parse(time.getAttribute("datetime"));
    if (Number.isNaN(date)) continue;
    time.textContent = relativeTime(date);
    time.title = instantTitle(date);
  }
}

render();
setInterval(render, 15000);
document.addEventListener("refreshed", render);
