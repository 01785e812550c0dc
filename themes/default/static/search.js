// Search the site: asks this language's Pagefind index (files under /pagefind/, made by legation build)
// and lists the item pages found, with their own titles and summaries, in the page's language and direction.
// The query is folded as legation folds the indexed text (generator/search.py: ə is e, ı is i, the
// apostrophe family is dropped, in the languages of data-fold), so people find words as they type them.
// Results are drawn with DOM calls (textContent), never as HTML.

const form = document.getElementById("search-form");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const field = document.getElementById("search-query");
const lang = form.getAttribute("data-lang");
const folded = new Set((form.getAttribute("data-fold") || "").split(" ").filter(Boolean));
const LETTERS = { "ə": "e", "Ə": "E", "ı": "i", "İ": "I" };
let engine = null;

export function fold(text, code) {
  if (!folded.has(code.split("-")[0])) { return text; }
  return text.replace(/[əƏıİ]/g, (letter) => LETTERS[letter]).replace(/[ʻʼ‘’'`]/g, "");
}

function say(text) {
  status.textContent = text;
}

async function load() {
  if (engine === null) {
    const base = form.getAttribute("data-index");
    engine = await import(base + "pagefind.js");
    await engine.options({ basePath: base });
    await engine.init();
  }
  return engine;
}

function show(item) {
  const url = String(item.url || "");
  if (!url.startsWith("/") || url.startsWith("//")) { return; }  // only pages of this site
  const entry = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = url;
  link.textContent = item.meta.title || url;
  heading.appendChild(link);
  entry.appendChild(heading);
  if (item.meta.date) {  // as the page shows it, written by legation in the page's language (CLDR)
    const time = document.createElement("time");
    time.dateTime = item.meta.iso || "";
    time.textContent = item.meta.date;
    entry.appendChild(time);
  }
  if (item.meta.excerpt) {
    const summary = document.createElement("p");
    summary.textContent = item.meta.excerpt;
    entry.appendChild(summary);
  }
  list.appendChild(entry);
}

async function run(query) {
  list.textContent = "";
  if (!query.trim()) { say(""); return; }
  say(form.getAttribute("data-loading"));
  try {
    const pagefind = await load();
    const found = await pagefind.search(fold(query, lang));
    const items = await Promise.all(found.results.slice(0, 20).map((result) => result.data()));
    items.forEach(show);
    const template = form.getAttribute(items.length ? "data-results" : "data-none");
    say(template.replace("{query}", query));
    document.body.setAttribute("data-searched", query);
  } catch (error) {
    say(form.getAttribute("data-error"));
    document.body.setAttribute("data-searched", query);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = field.value;
  const address = new URL(window.location.href);
  address.searchParams.set("q", query);
  window.history.replaceState(null, "", address);
  run(query);
});

const asked = new URL(window.location.href).searchParams.get("q");
if (asked) {
  field.value = asked;
  run(asked);
}
document.body.setAttribute("data-search-ready", "true");
