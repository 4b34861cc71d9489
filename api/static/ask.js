/* Conseil web page: the "Ask" box. POST /v1/ask, streamed as server-sent events where the browser can
 * read a response body as a stream (events route, delta {text}, done = the whole AskResponse,
 * error {error, detail}); a plain JSON POST otherwise. The answer's [n] markers link to the
 * numbered sources; a product source opens its details, a study source shows its title and page.
 * Everything is put in the page as text (no innerHTML), as in app.js, whose helpers this uses.
 */
(function () {
  "use strict";

  const P = window.ConseilPage;
  const { el, clear, t } = P;
  const $ = (id) => document.getElementById(id);
  const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

  // noLanguage: the server refused a per-request language once (an older route): not asked again.
  const ask = { response: null, route: null, streamed: "", controller: null, noLanguage: false };

  // ---------------------------------------------------------------------------------------------
  // Rendering

  function domainName(domain) {
    const key = "domain_" + domain;
    return t(key) === key ? String(domain) : t(key);
  }

  function renderRoute(route) {
    const line = $("answer-route");
    clear(line);
    if (!route) return;
    // A plain sentence; the router's own reason stays available as the line's tooltip.
    const domains = (route.domains || []).map(domainName).join(", ") || "—";
    line.append(t("ask_route_plain", { x: domains }));
    line.title = route.reason || "";
    if (route.refused && route.refused.length) {
      line.append(" · ", t("ask_refused", { x: route.refused.map(domainName).join(", ") }));
    }
  }

  /** Answer text -> nodes: "[2]" becomes a link to source 2 when that source exists. */
  function answerNodes(text, citations) {
    const known = new Set(citations.map((c) => Number(c.n)));
    const nodes = [];
    let last = 0;
    for (const match of String(text).matchAll(MARKER)) {
      if (match.index > last) nodes.push(text.slice(last, match.index));
      const numbers = match[1].split(",").map((n) => Number(n.trim()));
      nodes.push("[");
      numbers.forEach((n, i) => {
        if (i) nodes.push(", ");
        nodes.push(known.has(n)
          ? el("a", { href: "#cite-" + n, class: "cite-ref", "aria-label": t("cite_ref", { n }),
                      onclick: (event) => { event.preventDefault(); openCitation(n); }, text: String(n) })
          : String(n));
      });
      nodes.push("]");
      last = match.index + match[0].length;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
  }

  function citationItem(c) {
    const id = "cite-" + c.n;
    const body = [
      el("span", { class: "cite-n", text: "[" + c.n + "]" }), " ",
      el("span", { class: "cite-locator", text: c.locator || c.title || c.id }),
      c.kind === "study" && c.page ? el("span", { class: "visually-hidden", text: " (" + c.title + ")" }) : null,
    ];
    const [docId] = String(c.id || "").split("#");
    const item = el("li", { id, class: "citation-item cite-" + c.kind, tabindex: "-1", dataset: { kind: c.kind, id: c.id } },
      el("p", { class: "cite-head" }, body),
      c.text ? el("blockquote", { class: "cite-text" }, P.markedText(c.text)) : null,
      c.kind === "study" && window.ConseilDesk
        ? window.ConseilDesk.openLink({ doc_id: docId, page: c.page, kind: c.page ? "pdf" : null }) : null);
    if (c.kind === "product") {
      const details = el("details", { class: "more-details cite-product" },
        el("summary", { text: t("product_details") }), el("div", { class: "extra" }));
      details.addEventListener("toggle", () => { if (details.open) P.loadProductDetails({ id: c.id }, details); });
      item.append(details);
    }
    return item;
  }

  function openCitation(n) {
    const item = $("cite-" + n);
    if (!item) return;
    const details = item.querySelector("details.cite-product");
    if (details) details.open = true;
    item.scrollIntoView({ block: "nearest" });
    item.focus();
  }

  function renderAnswer(response) {
    ask.response = response;
    // The page's words in the page's language, the answer in its question's: screen readers switch voice.
    $("answer").lang = P.lang();
    $("answer-text").lang = typeof response.language === "string" && response.language ? response.language : P.lang();
    const citations = Array.isArray(response.citations) ? response.citations : [];
    $("answer").hidden = false;
    renderRoute(response.route);
    const text = $("answer-text");
    clear(text);
    text.append(...answerNodes(String(response.answer || ""), citations));
    // Cited sources first; the others were retrieved but the answer does not rest on them.
    const cited = citations.filter((c) => c.cited !== false);
    const uncited = citations.filter((c) => c.cited === false);
    const unanswered = response.answered === false || !String(response.answer || "").trim() || (citations.length > 0 && !cited.length);
    const studies = ((response.route && response.route.domains) || []).includes("studies");
    const note = $("answer-note");
    note.textContent = unanswered ? t(studies ? "studies_not_answer" : "not_answered") : "";
    note.hidden = !unanswered;
    $("answer").classList.toggle("unanswered", unanswered);
    $("answer-fallback").textContent = response.fallback ? t("ask_fallback", { x: response.fallback }) : "";
    $("answer-fallback").hidden = !response.fallback;
    const list = clear($("citations"));
    cited.forEach((c) => list.append(citationItem(c)));
    $("sources-title").hidden = !cited.length;
    const others = clear($("uncited"));
    uncited.forEach((c) => others.append(citationItem(c)));
    $("uncited-title").hidden = !uncited.length;
    const feedback = clear($("answer-feedback"));
    if (response.answer_id) {
      feedback.append(P.feedbackButtons({ kind: "answer", query: String(response.question || ask.question),
                                          target_id: String(response.answer_id) }, ""));
    }
  }

  function resetAnswer() {
    if (ask.controller) ask.controller.abort();
    Object.assign(ask, { response: null, route: null, streamed: "", controller: null });
    $("answer").hidden = true;
    clear($("answer-text"));
    clear($("citations"));
    clear($("uncited"));
    clear($("answer-route"));
    clear($("answer-feedback"));
    P.showError("ask-error", "");
    P.setStatus("ask-status", "");
  }

  // ---------------------------------------------------------------------------------------------
  // Transport

  function headers(accept) {
    const h = { Accept: accept, "Content-Type": "application/json" };
    if (P.state.key) h.Authorization = "Bearer " + P.state.key;
    return h;
  }

  /** One SSE block ("event: x\ndata: {...}") -> {event, data}. */
  function parseEvent(block) {
    let event = "message";
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    let payload = null;
    try {
      payload = data.length ? JSON.parse(data.join("\n")) : null;
    } catch (_) { payload = { text: data.join("\n") }; }
    return { event, data: payload };
  }

  function onEvent({ event, data }) {
    if (event === "route") {
      ask.route = data;
      $("answer").hidden = false;
      renderRoute(data);
    } else if (event === "delta" && data && typeof data.text === "string") {
      ask.streamed += data.text;
      $("answer").hidden = false;
      $("answer-text").textContent = ask.streamed; // plain while it streams; linked once done
    } else if (event === "done" && data) {
      renderAnswer(data);
    } else if (event === "error") {
      throw new P.ApiError(0, (data && (data.message || data.detail || data.error)) || "error");
    }
  }

  async function failure(response) {
    let payload = null;
    try {
      payload = await response.json();
    } catch (_) { /* not JSON */ }
    if (response.status === 401) P.signOut(t("bad_key"));
    return new P.ApiError(response.status, P.errorMessage(payload, response.status));
  }

  async function askStreaming(body, signal) {
    const response = await fetch("/v1/ask", { method: "POST", headers: headers("text/event-stream"),
                                              body: JSON.stringify(body), signal });
    if (!response.ok) throw await failure(response);
    const type = response.headers.get("content-type") || "";
    if (!type.includes("text/event-stream")) return renderAnswer(await response.json()); // the server chose JSON
    if (!response.body || typeof response.body.getReader !== "function") return askJson(body, signal);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let done = false;
    for (;;) {
      const chunk = await reader.read();
      buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = chunk.done ? "" : blocks.pop();
      for (const block of blocks) {
        if (!block.trim()) continue;
        const parsed = parseEvent(block);
        onEvent(parsed);
        done = done || parsed.event === "done";
      }
      if (chunk.done) break;
    }
    if (!done) throw new P.ApiError(0, t("unreachable", { x: t("stream_ended") }));
  }

  async function askJson(body, signal) {
    const response = await fetch("/v1/ask", { method: "POST", headers: headers("application/json"),
                                              body: JSON.stringify(body), signal });
    if (!response.ok) throw await failure(response);
    renderAnswer(await response.json());
  }

  async function submit() {
    const question = $("ask-q").value.trim();
    if (!question) {
      $("ask-q").focus();
      return;
    }
    resetAnswer();
    ask.question = question;
    const controller = new AbortController();
    ask.controller = controller;
    $("ask").setAttribute("aria-busy", "true");
    P.setStatus("ask-status", t("asking"));
    const body = { question };
    try {
      if (typeof ReadableStream === "function" && typeof TextDecoder === "function") {
        await askStreaming(body, controller.signal);
      } else {
        await askJson(body, controller.signal);
      }
    } catch (err) {
      if (err.name === "AbortError") return;
      // Not the browser's own words ("Failed to fetch" is English whatever the page's language).
      const message = err instanceof P.ApiError ? err.message : t("network_error");
      P.showError("ask-error", message);
    } finally {
      if (ask.controller === controller) {
        ask.controller = null;
        $("ask").removeAttribute("aria-busy");
        P.setStatus("ask-status", "");
      }
    }
  }

  /** The answer shown, again in the page's language now (the advisor's or the client's view). The
   * question stays as asked; the server writes the answer in `language`. */
  async function inLanguage(language) {
    const shown = ask.response;
    if (!shown || ask.noLanguage || ask.controller || !ask.question || shown.language === language) return;
    const controller = new AbortController();
    ask.controller = controller;
    $("ask").setAttribute("aria-busy", "true");
    P.setStatus("ask-status", t("asking"));
    try {
      await askJson({ question: ask.question, language }, controller.signal);
    } catch (err) {
      if (err.name === "AbortError") return;
      if (err instanceof P.ApiError && err.status === 422) ask.noLanguage = true;  // the answer stays as it was
      else P.showError("ask-error", err instanceof P.ApiError ? err.message : t("network_error"));
    } finally {
      if (ask.controller === controller) {
        ask.controller = null;
        $("ask").removeAttribute("aria-busy");
        P.setStatus("ask-status", "");
      }
    }
  }

  function setup() {
    $("ask-form").addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    P.hooks.signOut.push(() => {
      resetAnswer();
      $("ask-q").value = "";
    });
    P.hooks.language.push(() => {
      if (!ask.response) return;
      renderAnswer(ask.response);
      inLanguage(P.lang());
    });
  }

  setup();
})();
