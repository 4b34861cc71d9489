/* Conseil web page: the analyst desk. Filter values offered from the index with their document
 * counts (GET /v1/studies/facets), and a cited document opened at its page (GET /v1/studies/{id}/file,
 * fetched with the caller's key, so the same role checks apply; a plain link could not carry the key).
 * Uses app.js's helpers (window.ConseilPage); everything is put in the page as text.
 */
(function () {
  "use strict";

  const P = window.ConseilPage;
  const { el, clear, t } = P;
  const $ = (id) => document.getElementById(id);
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
        try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
        throw new P.ApiError(response.status, detail);
      }
      const url = URL.createObjectURL(await response.blob());
      const target = url + (hit.page ? "#page=" + hit.page : "");
      if (win) win.location.href = target;
      else window.location.assign(target);
    } catch (err) {
      if (win) win.close();
      P.showError("studies-error", t("open_failed", { x: err.message }));
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

  window.ConseilDesk = Object.freeze({ openLink, valueLabel });
  P.hooks.signIn.push(loadFacets);
  P.hooks.signOut.push(() => { desk.facets = null; });
  P.hooks.language.push(fillSelects);
})();
