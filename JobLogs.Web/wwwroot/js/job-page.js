// A job's page: the failure card's "Copy as Markdown" (the card, the page's address and the last lines of the log),
// and the card, facts and output kept current while the job runs, then once more when its log stream ends.
import { copyText, getJson } from "./api.js";
import { refreshNow } from "./live-refresh.js";
import { lineText } from "./log-rows.js";

const LAST_LINES = 20;
const summary = document.getElementById("job-summary");
const viewer = document.querySelector(".log-viewer[data-src]");

async function lastLines() {
  if (!viewer) return []; // retention removed the log: the card alone
  const tail = await getJson(`${viewer.dataset.src}?tailBytes=32768`);
  return tail.entries.slice(-LAST_LINES).map(lineText);
}

document.addEventListener("click", async event => {
  const copy = event.target.closest("[data-copy-markdown]");
  if (!copy) return;
  const label = copy.textContent;
  try {
    let markdown = copy.dataset.copyMarkdown + `- **Page:** ${location.origin}${location.pathname}\n`;
    const lines = await lastLines();
    if (lines.length) markdown += `\nLast ${lines.length} log lines:\n\n\`\`\`text\n${lines.join("\n")}\n\`\`\`\n`;
    await copyText(markdown);
    copy.textContent = "Copied ✓";
  } catch (error) {
    copy.textContent = `Copy failed: ${error.message}`;
  }
  setTimeout(() => (copy.textContent = label), 2000);
});

// The summary refreshes every few seconds while the job runs (js/live-refresh.js); when it shows a finished job, it stops.
summary?.addEventListener("refreshed", () => {
  const status = summary.querySelector("[data-status]")?.dataset.status;
  if (status && !["queued", "running"].includes(status)) summary.dataset.refreshEvery = "0";
});

viewer?.addEventListener("log:end", () => {
  summary.dataset.refreshEvery = "0";
  refreshNow(summary);
});
