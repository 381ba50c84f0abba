// Requests the pages make to the Api (through the web's forward). A request that fails is reported as a browser
// error (js/ui-errors.js) and thrown with the Api's own sentence (its ProblemDetails detail).
import { report } from "./ui-errors.js";

export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (error) {
    report({ kind: "request", method: "GET", url, status: null, message: String(error?.message ?? error) });
    throw new Error(`The request did not reach the server: ${error?.message ?? error}`);
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const detail = problem.detail || problem.title || `${response.status} ${response.statusText}`;
    report({ kind: "request", method: "GET", url, status: response.status, message: detail });
    throw new Error(detail);
  }
  return response.json();
}

/** Copies text to the clipboard; falls back to a selected text area where the Clipboard API is not offered (plain http). */
export async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const done = document.execCommand("copy");
  area.remove();
  if (!done) throw new Error("the browser refused to copy");
}
