/* Conseil web page: the analyst desk. The study search (POST /v1/search/studies) and its cards,
 * filter values offered from the index with their document counts (GET /v1/studies/facets), and a
 * cited document opened at its page (GET /v1/studies/{id}/file, fetched with the caller's key, so the
 * same role checks apply; a plain link could not carry the key). Uses app.js's helpers
 * (window.ConseilPage); everything is put in the page as text.
 */
(function () {
  "use strict";

  const P = window.ConseilPage;
  const { el, clear, t, tn, state, markedText, showError, setStatus, feedbackButtons, formatCount } = P;
  const $ = (id) => document.getElementById(id);
  const STUDY_PAGE_SIZE = 10;
  const FILTERS = { market: "study-market", language: "study-language", study_type: "study-type" };
  const desk = { facets: null };

  function displayName(type, code) {
    try {
      const name = new Intl.DisplayNames([P.lang()], { type }).of(code);
      if (name && name !== code) return name;
    } catch (_) { /* not a code Intl knows */ }
    return null;
  }

  /** A filter value as an analyst reads it: "France", "Français", "Peer-reviewed"... never a bare code. */
  function valueLabel(name, value) {
    if (name === "market") {
      if (String(value).toLowerCase() === "global") return t("market_global");
      return (/^[A-Z]{2}$/.test(value) && displayName("region", value)) || value;
    }
    if (name === "language") return window.ConseilI18n.ENDONYMS[value] || displayName("language", value) || value;
    const key = "study_type_" + String(value).replace(/[^a-z0-9]+/gi, "_").toLowerCase();
    const label = t(key);
    return label === key ? String(value).replace(/[-_]/g, " ") : label;
  }

  function fillSelects() {
    if (!desk.facets) return;
    for (const [name, id] of Object.entries(FILTERS)) {
      const select = $(id);
      const previous = select.value;
      clear(select);
      select.append(el("option", { value: "", text: t("any") }));
      for (const f of desk.facets[name] || []) {
        select.append(el("option", { value: f.value, text: t("facet_count", { x: valueLabel(name, f.value), n: f.count }) }));
      }
      select.value = previous;
      // A filter with a single value narrows nothing: it is shown, not offered.
      select.disabled = (desk.facets[name] || []).length < 2;
    }
    const years = (desk.facets.year || []).map((f) => Number(f.value)).filter(Number.isFinite);
    if (years.length) {
      // The years present, as a hint; any year may still be asked for (and then finds nothing).
      $("study-year-from").placeholder = String(Math.min(...years));
      $("study-year-to").placeholder = String(Math.max(...years));
    }
  }

  async function loadFacets() {
    if (!P.canSeeStudies()) return;
    try {
      desk.facets = await P.api("GET", "/v1/studies/facets");
    } catch (err) {
      // No studies index yet (503): the filters stay at "Any"; the search itself will say why.
      if (err.status !== 503) P.showError("studies-error", err.message);
      return;
    }
    fillSelects();
  }

  /** Fetch the document with the key and open it in a new tab at the cited page. */
  async function openFile(hit, button) {
    // Opened now, while the tap still counts as the user's gesture; pointed at the file once fetched.
    const win = window.open("", "_blank");
    button.disabled = true;
    try {
      const response = await fetch("/v1/studies/" + encodeURIComponent(hit.doc_id) + "/file", {
        headers: { Authorization: "Bearer " + P.state.key } });
      if (!response.ok) {
        let detail = "HTTP " + response.status;
        try { detail = P.errorMessage(await response.json(), response.status); } catch (_) { /* not JSON */ }
        throw new P.ApiError(response.status, detail);
      }
      const url = URL.createObjectURL(await response.blob());
      const target = url + (hit.page ? "#page=" + hit.page : "");
      if (win) win.location.href = target;
      else window.location.assign(target);
    } catch (err) {
      if (win) win.close();
      P.showError("studies-error", t("open_failed", { x: err instanceof P.ApiError ? err.message : t("network_error") }));
    } finally {
      button.disabled = false;
    }
  }

  /** The button under a study hit or a cited study: PDFs open at their page, other files as they are. */
  function openLink(hit) {
    if (!hit || !hit.doc_id || !P.canSeeStudies()) return null;
    const label = hit.kind === "pdf" && hit.page ? t("open_pdf_page", { n: hit.page }) : t("open_document");
    const button = el("button", { type: "button", class: "secondary open-file", text: label });
    button.addEventListener("click", () => openFile(hit, button));
    return button;
  }

  /** Passages keep Markdown heading marks ("## Results") from text sources: drop them for reading. */
  function withoutHeadingMarks(text) {
    return String(text || "").replace(/(^|\n)[ \t]{0,3}#{1,6}[ \t]+/g, "$1");
  }

  function splitList(value) {
    return String(value || "").split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  }

  // Study search

  function resetStudies() {
    Object.assign(state, { studyBody: null, studyHits: [], studyResponse: null });
    clear($("study-hits"));
    $("study-head").hidden = true;
    $("study-more").hidden = true;
    showError("studies-error", "");
    setStatus("studies-status", "");
  }

  function studyBodyFromForm() {
    // message_language: an error's sentence in the page's language (`language` filters documents).
    const body = { query: $("study-q").value.trim(), limit: STUDY_PAGE_SIZE, offset: 0,
                   group_by_document: $("study-group").checked, message_language: P.lang() };
    const from = $("study-year-from").value.trim();
    const to = $("study-year-to").value.trim();
    if (from) body.year_from = Number(from);
    if (to) body.year_to = Number(to);
    const markets = splitList($("study-market").value);
    const languages = splitList($("study-language").value).map((s) => s.toLowerCase());
    const types = splitList($("study-type").value);
    if (markets.length) body.market = markets;
    if (languages.length) body.language = languages;
    if (types.length) body.study_type = types;
    return body;
  }

  async function searchStudies(body, more) {
    if (!body.query) {
      $("study-q").focus();
      return;
    }
    $("studies").setAttribute("aria-busy", "true");
    setStatus("studies-status", t("searching"));
    showError("studies-error", "");
    let response;
    try {
      response = await P.api("POST", "/v1/search/studies", body);
    } catch (err) {
      setStatus("studies-status", "");
      showError("studies-error", err.status === 403 ? t("forbidden_studies") + " (403)" : err.message);
      return;
    } finally {
      $("studies").removeAttribute("aria-busy");
    }
    setStatus("studies-status", "");
    state.studyBody = body;
    state.studyResponse = response;
    const list = $("study-hits");
    if (!more) {
      clear(list);
      state.studyHits = [];
    }
    state.studyHits = state.studyHits.concat(response.hits);
    const start = list.children.length;
    response.hits.forEach((hit, i) => list.append(studyCard(hit, start + i)));
    $("study-head").hidden = false;
    $("study-total").textContent = studyTotals(response);
    $("study-took").textContent = t("took", { ms: Math.round(response.took_ms) });
    $("study-none").hidden = state.studyHits.length > 0;
    const shown = response.offset + response.hits.length;
    const available = response.grouped ? response.total_documents : response.total;
    $("study-more").hidden = response.hits.length < response.limit || shown >= available;
  }

  /** What the query found (passages with one of its words), beside what the filters allow. */
  function studyTotals(response) {
    const searched = t("studies_searched", { n: formatCount(response.total), d: formatCount(response.total_documents) });
    if (typeof response.matching !== "number") return searched;
    const found = tn("studies_matching", response.matching, {
      n: formatCount(response.matching) + (response.matching_capped ? "+" : ""), d: formatCount(response.matching_documents) });
    return found + " " + searched;
  }

  function studyCard(hit, index) {
    const titleId = "study-" + index + "-title";
    // Market, language and study type by name (France, Français, Peer-reviewed paper), not by code.
    const label = (name, value) => (value ? valueLabel(name, value) : value);
    const meta = [hit.section ? t("section") + ": " + hit.section : null, label("market", hit.market),
                  label("language", hit.language), label("study_type", hit.study_type)].filter(Boolean).join(" · ");
    return el("li", { class: "card-item" }, el("article", { class: "card study", "aria-labelledby": titleId },
      el("h3", { id: titleId, class: "citation", text: hit.citation }),
      meta ? el("p", { class: "meta", text: meta }) : null,
      hit.reference_list ? el("p", { class: "note reference-note", text: t("reference_list") }) : null,
      openLink(hit),
      el("blockquote", { class: "snippet" }, markedText(withoutHeadingMarks(hit.snippet))),
      hit.also_on_pages && hit.also_on_pages.length
        ? el("p", { class: "note", text: t("also_on_pages", { x: hit.also_on_pages.join(", ") }) }) : null,
      el("details", { class: "passage" }, el("summary", { text: t("passage") }),
        el("p", { class: "passage-text" }, markedText(withoutHeadingMarks(hit.passage))),
        hit.matched_terms && hit.matched_terms.length
          ? el("p", { class: "note", text: t("matched_terms", { x: hit.matched_terms.join(", ") }) }) : null),
      el("p", { class: "score", text: t("score", { x: Number(hit.score).toFixed(3) }) }),
      feedbackButtons({ kind: "study", query: (state.studyBody && state.studyBody.query) || "",
                        target_id: hit.page ? hit.doc_id + "#" + hit.page : hit.doc_id, rank: index + 1 }, hit.citation)));
  }

  window.ConseilDesk = Object.freeze({ openLink, valueLabel });
  P.hooks.signIn.push(loadFacets);
  P.hooks.signOut.push(() => {
    desk.facets = null;
    resetStudies();
  });
  $("study-form").addEventListener("submit", (event) => {
    event.preventDefault();
    searchStudies(studyBodyFromForm(), false);
  });
  $("study-more").addEventListener("click", () => {
    if (state.studyBody) searchStudies({ ...state.studyBody, offset: state.studyResponse.offset + state.studyResponse.hits.length }, true);
  });
  P.hooks.language.push(fillSelects);
})();
