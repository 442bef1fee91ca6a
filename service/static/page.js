// tone's page: score one pasted article, or a file of them, through the HTTP API.
// Plain JavaScript, no build step and nothing loaded from elsewhere.
"use strict";

(() => {
  const body = document.body;
  const limits = {
    maxBatch: Number(body.dataset.maxBatch) || 1,
    maxTextChars: Number(body.dataset.maxTextChars) || Infinity,
    maxBodyBytes: Number(body.dataset.maxBodyBytes) || Infinity,
  };
  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat("en");
  const percent = (p) => `${Math.round(p * 100)}%`;
  const CUE_NAMES = {
    modal: "modal",
    epistemic_verb: "epistemic verb",
    epistemic_adjective: "epistemic adjective",
    adverb: "adverb",
    attribution: "attribution",
    approximator: "approximator",
    weasel: "weasel",
  };

  function make(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // Python counts code points, JavaScript strings count UTF-16 units; the API's
  // offsets and limits are in code points.
  function codePointLength(text) {
    let n = 0;
    for (const _ of text) n += 1;
    return n;
  }

  // ---- talking to the API -------------------------------------------------------

  const WHAT_WENT_WRONG = {
    413: "The request is too large for the service",
    415: "The service refused the request",
    422: "The service could not score this",
    503: "The service is not ready",
  };

  // One sentence in words for any failed request, never a blank.
  function describeError(status, statusText, detail) {
    const lead = WHAT_WENT_WRONG[status] ||
      (status >= 500 ? `The service failed (${status} ${statusText})`
                     : `The service refused the request (${status} ${statusText})`);
    let text = detail ? `${lead}: ${detail}.` : `${lead}.`;
    if (/must not be empty/.test(detail || "")) {
      text += " Paste the article's text into the box first.";
    } else if (/exceeds the maximum of \d+ characters/.test(detail || "")) {
      text += " Shorten the text, or score it in parts.";
    } else if (status === 413) {
      text += " Send a shorter text.";
    } else if (status === 503) {
      text += " Wait until a model is loaded, then try again.";
    }
    return text;
  }

  async function postJson(url, payload) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(payload),
      });
    } catch (error) {
      return {
        ok: false,
        network: true,
        message: `Could not reach the tone service (${error.message}). ` +
          "Check that it is running, then try again.",
      };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (response.ok && data) return { ok: true, data };
    const detail = data && typeof data.detail === "string" ? data.detail : "";
    return {
      ok: false,
      status: response.status,
      message: response.ok
        ? "The service answered with something that is not JSON."
        : describeError(response.status, response.statusText, detail),
    };
  }

  function showError(element, message) {
    element.textContent = message;
    element.hidden = !message;
  }

  // ---- tabs (WAI-ARIA tabs pattern: arrows, Home and End move between tabs) -----

  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  function selectTab(tab, focus) {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab, false));
    tab.addEventListener("keydown", (event) => {
      const i = tabs.indexOf(tab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in next)) return;
      event.preventDefault();
      selectTab(tabs[(next[event.key] + tabs.length) % tabs.length], true);
    });
  }

  // ---- the model version ---------------------------------------------------------

  async function loadModelVersion() {
    const target = $("model-version");
    try {
      const response = await fetch("v1/model", { headers: { Accept: "application/json" } });
      const data = await response.json().catch(() => null);
      if (response.ok && data) {
        target.textContent = data.version;
      } else {
        const detail = data && typeof data.detail === "string" ? data.detail : "";
        target.textContent = `none (${describeError(response.status, response.statusText, detail)})`;
      }
    } catch (error) {
      target.textContent = `unknown (could not reach the service: ${error.message})`;
    }
  }

  // ---- one article ---------------------------------------------------------------

  const textBox = $("text");
  const titleBox = $("title");

  function updateCount() {
    const n = codePointLength(textBox.value);
    const over = n > limits.maxTextChars;
    $("text-count").textContent =
      `${numberFormat.format(n)} of at most ${numberFormat.format(limits.maxTextChars)} characters` +
      (over ? ", too long to score" : "");
    $("text-count").classList.toggle("over", over);
  }

  // Sorted, non-overlapping cues; a cue inside another (e.g. "believed" in "it is
  // believed") is merged into it so both kinds are named.
  function mergeCues(cues) {
    const sorted = [...cues].sort((a, b) => a.start - b.start || b.end - a.end);
    const merged = [];
    for (const cue of sorted) {
      const last = merged[merged.length - 1];
      if (last && cue.start < last.end) {
        last.end = Math.max(last.end, cue.end);
        if (!last.categories.includes(cue.category)) last.categories.push(cue.category);
      } else {
        merged.push({ start: cue.start, end: cue.end, categories: [cue.category] });
      }
    }
    return merged;
  }

  function cueElement(text, categories) {
    const names = categories.map((c) => CUE_NAMES[c] || c);
    const cue = make("span", `cue cue-${categories[0]}`, text);
    cue.tabIndex = 0;
    cue.dataset.category = categories.join(" ");
    cue.append(make("span", "cue-tip", ` (hedge: ${names.join(", ")})`));
    return cue;
  }

  // Append chars[a, b) to parent, with each cue overlapping that range underlined.
  function appendRange(parent, chars, a, b, cues) {
    let at = a;
    for (const cue of cues) {
      const start = Math.max(cue.start, a);
      const end = Math.min(cue.end, b);
      if (end <= start) continue;
      if (start > at) parent.append(chars.slice(at, start).join(""));
      parent.append(cueElement(chars.slice(start, end).join(""), cue.categories));
      at = end;
    }
    if (b > at) parent.append(chars.slice(at, b).join(""));
  }

  function renderArticle(text, result) {
    const container = $("article");
    container.replaceChildren();
    const chars = Array.from(text);
    const cues = mergeCues(result.hedging.cues || []);
    const sentences = [...(result.sentences || [])].sort((a, b) => a.start - b.start);
    let at = 0;
    sentences.forEach((sentence, i) => {
      if (sentence.start > at) appendRange(container, chars, at, sentence.start, cues);
      const p = sentence.opinion_probability;
      const band = Math.min(9, Math.floor(p * 10));
      const span = make("span", `sentence shade-${band}${sentence.hedged ? " hedged" : ""}`);
      span.dataset.opinionProbability = String(p);
      span.dataset.index = String(i + 1);
      appendRange(span, chars, sentence.start, sentence.end, cues);
      const words = `${percent(p)} opinion${sentence.hedged ? ", hedged" : ""}`;
      const tag = make("span", "tag", ` ${words} `);
      tag.dataset.hedged = String(sentence.hedged);
      span.append(tag);
      container.append(span);
      at = Math.max(at, sentence.end);
    });
    if (chars.length > at) appendRange(container, chars, at, chars.length, cues);
  }

  // The model sees masked names and numbers as these tokens (classifier.normalise).
  const MASKS = { xxname: "[name]", xxnum: "[number]" };
  const shownFeature = (feature) =>
    feature.replace(/\b(xxname|xxnum)\b/g, (token) => MASKS[token]);

  function renderFeatures(listId, features, sign) {
    const list = $(listId);
    list.replaceChildren();
    if (!features.length) {
      list.append(make("li", "hint", "none"));
      return;
    }
    const strongest = Math.max(...features.map((f) => Math.abs(f.weight))) || 1;
    for (const feature of features) {
      const item = make("li");
      item.append(make("span", "feature", shownFeature(feature.feature)));
      item.append(make("span", "weight", `${sign}${Math.abs(feature.weight).toFixed(2)}`));
      const track = make("span", "feature-track");
      track.setAttribute("aria-hidden", "true");
      const bar = make("span", "feature-bar");
      bar.style.width = `${(100 * Math.abs(feature.weight)) / strongest}%`;
      track.append(bar);
      item.append(track);
      list.append(item);
    }
  }

  function renderResult(text, title, result) {
    const p = result.opinion_probability;
    const label = result.label === "opinion" ? "Opinion" : "Reporting";
    $("verdict-label").textContent = label;
    $("verdict-label").dataset.label = result.label;
    $("verdict-probability").textContent = `${percent(p)} opinion probability`;
    $("gauge").setAttribute("aria-label",
      `${label}: opinion probability ${percent(p)}, on a scale from reporting to opinion`);
    $("gauge-needle").style.left = `${p * 100}%`;
    const h = result.hedging;
    $("hedging-score").textContent = h.score.toFixed(2);
    $("hedging-detail").textContent =
      `${h.hedged_sentences} of ${h.sentences} sentence${h.sentences === 1 ? "" : "s"} hedged, ` +
      `${h.cues.length} cue${h.cues.length === 1 ? "" : "s"}`;
    $("hedging-bar").style.width = `${h.score * 100}%`;
    $("shown-title").textContent = title;
    $("shown-title").hidden = !title;
    renderArticle(text, result);
    renderFeatures("features-opinion", result.top_features.opinion, "+");
    renderFeatures("features-reporting", result.top_features.reporting, "−");
    $("model-version").textContent = result.model_version;
    $("one-result").hidden = false;
  }

  $("one-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("score-button");
    const text = textBox.value;
    const title = titleBox.value.trim();
    showError($("one-error"), "");
    $("one-status").textContent = "Scoring…";
    button.disabled = true;
    const payload = title ? { text, title } : { text };
    const answer = await postJson("v1/score", payload);
    button.disabled = false;
    if (answer.ok) {
      renderResult(text, title, answer.data);
      $("one-status").textContent =
        `Scored: ${answer.data.label}, ${percent(answer.data.opinion_probability)} opinion probability.`;
    } else {
      $("one-result").hidden = true;
      $("one-status").textContent = "";
      showError($("one-error"), answer.message);
    }
  });

  $("clear-button").addEventListener("click", () => {
    textBox.value = "";
    titleBox.value = "";
    updateCount();
    showError($("one-error"), "");
    $("one-status").textContent = "";
    $("one-result").hidden = true;
    textBox.focus();
  });

  textBox.addEventListener("input", updateCount);

  $("show-scores").addEventListener("change", (event) => {
    $("article").classList.toggle("hide-tags", !event.target.checked);
  });

  // Escape hides a cue's hover text until the pointer or focus moves on (WCAG 1.4.13).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && event.target.classList?.contains("cue")) {
      event.target.classList.add("tip-dismissed");
    }
  });
  $("article").addEventListener("focusout", (event) => {
    event.target.classList?.remove("tip-dismissed");
  });

  // ---- a file of articles --------------------------------------------------------

  // RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks.
  function parseCsv(text) {
    const rows = [];
    let row = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else if (c === '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c === '"' && field === "") {
        quoted = true;
      } else if (c === ",") {
        row.push(field);
        field = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i += 1;
        row.push(field);
        rows.push(row);
        row = [];
        field = "";
      } else {
        field += c;
      }
    }
    if (field !== "" || row.length) {
      row.push(field);
      rows.push(row);
    }
    return rows;
  }

  function column(header, name) {
    const exact = header.indexOf(name);
    return exact >= 0 ? exact : header.findIndex((h) => h.trim().toLowerCase() === name);
  }

  // Articles from a CSV file: {row, id, title, text, error}. Throws on a missing column.
  function articlesFromCsv(text) {
    const rows = parseCsv(text.replace(/^\uFEFF/, ""));
    if (!rows.length) throw new Error("The file is empty.");
    const header = rows[0];
    const textAt = column(header, "text");
    if (textAt < 0) {
      throw new Error(
        `The file has no "text" column (its columns are: ${header.join(", ")}). ` +
        'Name the column that holds the articles "text".');
    }
    const idAt = column(header, "id");
    const titleAt = column(header, "title");
    return rows.slice(1)
      .filter((cells) => !(cells.length === 1 && cells[0] === ""))
      .map((cells, i) => ({
        row: i + 1,
        id: idAt >= 0 ? cells[idAt] ?? "" : "",
        title: titleAt >= 0 ? cells[titleAt] ?? "" : "",
        text: cells[textAt] ?? "",
        error: textAt < cells.length ? "" : "row has no text field",
      }));
  }

  function articlesFromJsonl(text) {
    const articles = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const article = { row: articles.length + 1, id: "", title: "", text: "", error: "" };
      articles.push(article);
      let record;
      try {
        record = JSON.parse(line);
      } catch (_) {
        article.error = `line ${i + 1} is not valid JSON`;
        return;
      }
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        article.error = `line ${i + 1} is not a JSON object`;
        return;
      }
      article.id = record.id === undefined || record.id === null ? "" : String(record.id);
      article.title = typeof record.title === "string" ? record.title : "";
      if (typeof record.text !== "string") {
        article.error = `line ${i + 1} has no "text" string`;
        return;
      }
      article.text = record.text;
    });
    return articles;
  }

  function payloadOf(article) {
    const payload = { text: article.text };
    if (article.title) payload.title = article.title;
    if (article.id) payload.id = article.id;
    return payload;
  }

  const encoder = new TextEncoder();
  const bytesOf = (value) => encoder.encode(JSON.stringify(value)).length;

  // Some character that is neither whitespace nor one the API's normalisation
  // removes: the same pattern as classifier.normalise.NOT_BLANK (a test checks).
  const NOT_BLANK = /[^\u0000-\u0020\u007f\u0085\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/;
  const MAX_NAME_CHARS = 1000; // service.schemas.MAX_NAME_CHARS
  const wellFormed = (value) =>
    typeof value.isWellFormed !== "function" || value.isWellFormed();

  // Check each article as the API would, so one bad row does not sink its batch.
  function checkArticle(article) {
    if (article.error) return;
    const named = [["id", article.id], ["title", article.title]];
    const tooLong = named.find(([, value]) => codePointLength(value) > MAX_NAME_CHARS);
    const broken = named.find(([, value]) => !wellFormed(value));
    if (!NOT_BLANK.test(article.text)) {
      article.error = "text must not be empty";
    } else if (tooLong) {
      article.error = `${tooLong[0]}: String should have at most ${MAX_NAME_CHARS} characters`;
    } else if (broken) {
      article.error = `${broken[0]}: must be valid Unicode (it holds a lone surrogate)`;
    } else if (codePointLength(article.text) > limits.maxTextChars) {
      article.error = `text exceeds the maximum of ${limits.maxTextChars} characters`;
    } else if (bytesOf({ articles: [payloadOf(article)] }) > limits.maxBodyBytes) {
      article.error = `article is larger than the request limit of ${limits.maxBodyBytes} bytes`;
    }
  }

  // Split the articles to score into requests under both the batch and byte limits.
  function chunk(articles) {
    const chunks = [];
    let current = [];
    let bytes = bytesOf({ articles: [] });
    for (const article of articles) {
      const size = bytesOf(payloadOf(article)) + 1;
      if (current.length && (current.length >= limits.maxBatch ||
          bytes + size > limits.maxBodyBytes)) {
        chunks.push(current);
        current = [];
        bytes = bytesOf({ articles: [] });
      }
      current.push(article);
      bytes += size;
    }
    if (current.length) chunks.push(current);
    return chunks;
  }

  let fileResults = [];
  let fileName = "articles";
  let sortState = { key: "row", direction: "ascending" };

  const missing = (value) => value === undefined || value === null || value === "";

  // Rows in the chosen order; rows without a value stay last either way.
  function sortedRows() {
    const { key, direction } = sortState;
    const header = document.querySelector(`#results-table button[data-key="${key}"]`);
    const numeric = header && header.dataset.type === "number";
    const sign = direction === "ascending" ? 1 : -1;
    return [...fileResults].sort((a, b) => {
      const gap = missing(a[key]) - missing(b[key]);
      if (gap || missing(a[key])) return gap || a.row - b.row;
      const order = numeric ? a[key] - b[key]
        : String(a[key]).localeCompare(String(b[key]), "en", { numeric: true });
      return sign * order || a.row - b.row;
    });
  }

  function renderTable() {
    const rows = sortedRows();
    for (const th of document.querySelectorAll("#results-table th")) {
      const key = th.querySelector("button").dataset.key;
      if (key === sortState.key) th.setAttribute("aria-sort", sortState.direction);
      else th.removeAttribute("aria-sort");
    }
    const tbody = document.querySelector("#results-table tbody");
    tbody.replaceChildren();
    for (const r of rows) {
      const tr = make("tr");
      if (r.error) tr.className = "has-error";
      const cells = [
        r.row, r.id, r.title,
        r.label ? (r.label === "opinion" ? "Opinion" : "Reporting") : "",
        r.opinion_probability === "" ? "" : r.opinion_probability.toFixed(3),
        r.hedging_score === "" ? "" : r.hedging_score.toFixed(2),
        r.hedged_sentences, r.sentences, r.error,
      ];
      cells.forEach((value, i) => {
        const td = make("td", i === 0 || (i >= 4 && i <= 7) ? "num" : "", String(value));
        if (i === 3 && r.label) td.dataset.label = r.label;
        tr.append(td);
      });
      tbody.append(tr);
    }
  }

  for (const button of document.querySelectorAll("#results-table th button")) {
    button.addEventListener("click", () => {
      const key = button.dataset.key;
      sortState = {
        key,
        direction: sortState.key === key && sortState.direction === "ascending"
          ? "descending" : "ascending",
      };
      renderTable();
    });
  }

  const CSV_COLUMNS = ["row", "id", "title", "label", "opinion_probability", "hedging_score",
    "hedged_sentences", "sentences", "model_version", "error"];

  function csvField(value) {
    const text = value === undefined || value === null ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  function resultsCsv() {
    const lines = [CSV_COLUMNS.join(",")];
    for (const r of [...fileResults].sort((a, b) => a.row - b.row)) {
      lines.push(CSV_COLUMNS.map((c) => csvField(r[c])).join(","));
    }
    return `${lines.join("\r\n")}\r\n`;
  }

  $("download-button").addEventListener("click", () => {
    const blob = new Blob([resultsCsv()], { type: "text/csv;charset=utf-8" });
    const link = make("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${fileName}-scored.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  });

  async function scoreFile(file) {
    const status = $("file-status");
    const text = await file.text();
    const jsonl = /\.(jsonl|ndjson)$/i.test(file.name) ||
      (!/\.csv$/i.test(file.name) && text.trimStart().startsWith("{"));
    const articles = jsonl ? articlesFromJsonl(text) : articlesFromCsv(text);
    if (!articles.length) throw new Error("The file holds no articles.");
    articles.forEach(checkArticle);
    fileResults = articles.map((a) => ({
      row: a.row, id: a.id, title: a.title, label: "", opinion_probability: "",
      hedging_score: "", hedged_sentences: "", sentences: "", model_version: "",
      error: a.error,
    }));
    const todo = articles.filter((a) => !a.error);
    const chunks = chunk(todo);
    let done = 0;
    let stopped = "";
    for (const [n, part] of chunks.entries()) {
      status.textContent = `Scoring ${numberFormat.format(todo.length)} articles: ` +
        `request ${n + 1} of ${chunks.length}…`;
      const answer = await postJson("v1/score/batch?detail=false",
        { articles: part.map(payloadOf) });
      if (answer.ok) {
        answer.data.results.forEach((result, i) => {
          Object.assign(fileResults[part[i].row - 1], {
            label: result.label,
            opinion_probability: result.opinion_probability,
            hedging_score: result.hedging.score,
            hedged_sentences: result.hedging.hedged_sentences,
            sentences: result.hedging.sentences,
            model_version: result.model_version,
          });
        });
        done += part.length;
      } else {
        for (const article of part) fileResults[article.row - 1].error = answer.message;
        // Refused for what it held: go on with the rest. Unreachable or failing: stop.
        if (answer.network || !answer.status || answer.status >= 500) {
          stopped = answer.message;
          break;
        }
      }
    }
    const failed = fileResults.filter((r) => r.error).length;
    status.textContent = `Scored ${numberFormat.format(done)} of ` +
      `${numberFormat.format(articles.length)} articles in ${chunks.length} ` +
      `request${chunks.length === 1 ? "" : "s"}` +
      (failed ? `; ${numberFormat.format(failed)} could not be scored (see the Error column).` : ".");
    if (stopped) showError($("file-error"), `Stopped: ${stopped}`);
    sortState = { key: "row", direction: "ascending" };
    renderTable();
    $("file-result").hidden = false;
    $("download-button").disabled = false;
  }

  $("file-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("file").files[0];
    showError($("file-error"), "");
    if (!file) {
      showError($("file-error"), "Choose a CSV or JSONL file of articles first.");
      return;
    }
    fileName = file.name.replace(/\.[^.]*$/, "") || "articles";
    const button = $("file-button");
    button.disabled = true;
    $("download-button").disabled = true;
    try {
      await scoreFile(file);
    } catch (error) {
      $("file-status").textContent = "";
      $("file-result").hidden = true;
      showError($("file-error"), `Could not read ${file.name}: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });

  $("batch-size").textContent = `at most ${numberFormat.format(limits.maxBatch)}`;
  updateCount();
  loadModelVersion();
})();
