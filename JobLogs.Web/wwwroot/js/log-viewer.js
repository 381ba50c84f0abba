// The log viewer: every element with class "log-viewer" and a data-src (a tail endpoint forwarded to the Api)
// shows that log's last lines, with a level filter and a copy button. Text is always inserted as text, never HTML.
(() => {
  "use strict";

  const LEVELS = ["debug", "info", "warn", "error"];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function relative(ts, start) {
    if (!start) return "";
    const ms = Date.parse(ts) - start;
    if (Number.isNaN(ms)) return "";
    const sign = ms < 0 ? "-" : "+";
    const abs = Math.abs(ms);
    return abs < 60000 ? `${sign}${(abs / 1000).toFixed(3)}s` : `${sign}${Math.floor(abs / 60000)}m${((abs % 60000) / 1000).toFixed(1)}s`;
  }

  function lineText(item) {
    if (item.malformed) return item.raw;
    const e = item.entry;
    return `${e.ts} ${e.level.toUpperCase()} [${e.component}] ${e.msg}` + (e.data ? " " + JSON.stringify(e.data) : "");
  }

  function renderRow(item, start) {
    const row = el("div", "log-row");
    row.id = `offset-${item.offset}`;
    row.dataset.offset = item.offset;
    if (item.malformed) {
      row.classList.add("malformed");
      row.dataset.level = "error";
      row.append(el("span", "ts", ""), el("span", "lvl lvl-malformed", "malformed"), el("span", "comp", ""), el("span", "msg mono", item.raw));
      return row;
    }
    const e = item.entry;
    row.dataset.level = e.level;
    const ts = el("span", "ts", start ? relative(e.ts, start) : e.ts.substring(11, 23));
    ts.title = `${e.ts} UTC\n${new Date(e.ts).toLocaleString()} local`;
    const msg = el("span", "msg", e.msg);
    row.append(ts, el("span", `lvl lvl-${e.level}`, e.level), el("span", "comp", e.component), msg);
    if (e.data) {
      const details = el("details", "data");
      details.append(el("summary", "", "data"));
      const pre = el("pre", "mono");
      // Stack traces and stderr tails keep their newlines: show them as blocks, the rest as JSON.
      const { exception, stderrTail, stdoutTail, ...rest } = e.data;
      const blocks = [];
      if (exception) blocks.push(`${exception.type}: ${exception.message}\n${exception.stack || ""}`);
      if (stderrTail) blocks.push(`stderr (tail):\n${stderrTail}`);
      if (stdoutTail) blocks.push(`stdout (tail):\n${stdoutTail}`);
      if (Object.keys(rest).length) blocks.push(JSON.stringify(rest, null, 2));
      pre.textContent = blocks.join("\n\n");
      details.append(pre);
      if (exception || stderrTail) details.open = true;
      msg.append(details);
    }
    return row;
  }

  async function load(viewer) {
    const src = viewer.dataset.src;
    const start = viewer.dataset.start ? Date.parse(viewer.dataset.start) : null;
    const toolbar = el("div", "log-toolbar");
    const level = el("select", "level-filter");
    level.setAttribute("aria-label", "Minimum level");
    for (const l of LEVELS) {
      const option = el("option", "", l === "debug" ? "all levels" : `${l} and above`);
      option.value = l;
      level.append(option);
    }
    const copy = el("button", "button copy", "Copy visible lines");
    copy.type = "button";
    const status = el("span", "muted log-status", "loading…");
    toolbar.append(level, copy, status);
    const rows = el("div", "log-rows mono");
    viewer.replaceChildren(toolbar, rows);

    const applyFilter = () => {
      const min = LEVELS.indexOf(level.value);
      for (const row of rows.children) row.hidden = LEVELS.indexOf(row.dataset.level) < min;
    };
    level.addEventListener("change", applyFilter);
    copy.addEventListener("click", async () => {
      const text = [...rows.children].filter(r => !r.hidden).map(r => r.dataset.text).join("\n");
      try {
        await navigator.clipboard.writeText(text);
        copy.textContent = "Copied";
      } catch {
        copy.textContent = "Copy failed";
      }
      setTimeout(() => (copy.textContent = "Copy visible lines"), 1500);
    });

    try {
      const response = await fetch(`${src}?tailBytes=80000`, { headers: { Accept: "application/json" } });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        status.textContent = `Could not load the log: ${problem.detail || response.status}`;
        return;
      }
      const tail = await response.json();
      for (const item of tail.entries) {
        const row = renderRow(item, start);
        row.dataset.text = lineText(item);
        rows.append(row);
      }
      status.textContent = `${tail.entries.length} line(s)` + (tail.truncated ? " · earlier lines not shown" : "") + ` · ${tail.size} bytes`;
      applyFilter();
      if (location.hash.startsWith("#offset-")) document.getElementById(location.hash.substring(1))?.classList.add("highlight");
    } catch (error) {
      status.textContent = `Could not load the log: ${error}`;
    }
  }

  document.addEventListener("click", event => {
    const jump = event.target.closest("[data-jump-offset]");
    if (!jump) return;
    const row = document.getElementById(`offset-${jump.dataset.jumpOffset}`);
    if (row) {
      event.preventDefault();
      document.querySelectorAll(".log-row.highlight").forEach(r => r.classList.remove("highlight"));
      row.classList.add("highlight");
      row.scrollIntoView({ block: "center" });
    }
  });

  document.querySelectorAll(".log-viewer[data-src]").forEach(load);
})();
