/* eccpsite search page: runs Pagefind's index (built by `eccpsite build` into /pagefind/)
 * in the browser, so it works offline and from any static server. The query lives in
 * ?q=, so a search can be bookmarked, and the header's search form lands here. */

const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const MAX_RESULTS = 30;
let pagefind = null;
let latest = 0;

/* A large site's index comes in several bundles (eccpsite.search): the main one lists the others. */
async function otherBundles() {
  try {
    const response = await fetch("/pagefind/shards.json");
    return response.ok ? (await response.json()).bundles : [];
  } catch {
    return [];
  }
}

async function engine() {
  if (pagefind === null) {
    const loaded = await import("/pagefind/pagefind.js");
    await loaded.options({ excerptLength: 24 });
    for (const bundle of await otherBundles()) {
      await loaded.mergeIndex(bundle, { excerptLength: 24 });
    }
    pagefind = loaded;
  }
  return pagefind;
}

/* Pagefind's excerpt is HTML with <mark> around the words found; keep only text and <mark>. */
function excerptNode(html) {
  const paragraph = document.createElement("p");
  paragraph.className = "search-excerpt";
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.appendChild(mark);
    } else {
      paragraph.appendChild(document.createTextNode(node.textContent));
    }
  }
  return paragraph;
}

function resultNode(data) {
  const item = document.createElement("li");
  const article = document.createElement("article");
  article.className = "search-result";
  if (data.meta.kind) {
    const kind = document.createElement("p");
    kind.className = "card-kind";
    kind.textContent = data.meta.kind;
    article.appendChild(kind);
  }
  const heading = document.createElement("h2");
  heading.className = "card-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.appendChild(link);
  article.appendChild(heading);
  article.appendChild(excerptNode(data.excerpt || ""));
  item.appendChild(article);
  return item;
}

async function run(query) {
  const ticket = ++latest;
  query = query.trim();
  if (!query) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  try {
    const found = await (await engine()).search(query);
    const data = await Promise.all(found.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    if (ticket !== latest) {
      return;
    }
    list.replaceChildren(...data.map(resultNode));
    const total = found.results.length;
    const shown = total > MAX_RESULTS ? `; the first ${MAX_RESULTS} are shown` : "";
    status.textContent = total === 0 ? `No results for “${query}”.` : `${total} result${total === 1 ? "" : "s"} for “${query}”${shown}.`;
  } catch (error) {
    if (ticket === latest) {
      list.replaceChildren();
      status.textContent = "The search index could not be loaded. Browse the topics instead.";
    }
  }
}

let timer = 0;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(input.value), 250);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  const query = input.value.trim();
  history.replaceState(null, "", query ? `?q=${encodeURIComponent(query)}` : location.pathname);
  run(query);
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
