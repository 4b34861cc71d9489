/* Conseil web page: sign-in, product search for advisors, study search for analysts.
 *
 * No framework, no build step. Every piece of data is put in the page with textContent or as an
 * attribute value through the el() helper: nothing from the server or the user is ever parsed as
 * HTML (there is no innerHTML in this file), so product names, passages or chips cannot inject markup.
 */
(function () {
  "use strict";

  const I18N = window.ConseilI18n;
  const KEY_STORAGE = "conseil.key";
  const ADVISOR_LANG_STORAGE = "conseil.advisorLang"; // the advisor's own language, kept across visits
  const PAGE_SIZE = 10;

  // ---------------------------------------------------------------------------------------------
  // Small helpers

  const $ = (id) => document.getElementById(id);
  const MAX_QUERY = I18N.LIMITS.query_chars; // MAX_QUERY_CHARS of search/query/model.py

  /** Build an element: attrs are set as properties/attributes, children are nodes or plain text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /** Text with **marked** words -> nodes, the marked parts in <mark>; the rest stays plain text. */
  function markedText(text) {
    const parts = String(text || "").split("**");
    if (parts.length % 2 === 0) {
      // An odd number of ** markers: the last one is not a mark, keep it as written.
      const tail = parts.pop();
      parts[parts.length - 1] += "**" + tail;
    }
    // Even parts are plain text, odd parts were between ** marks (the parity must be read before
    // dropping the empty strings that a mark at the very start or end leaves).
    return parts.map((part, i) => (i % 2 ? el("mark", { text: part }) : part)).filter((part) => part !== "");
  }

  // ---------------------------------------------------------------------------------------------
  // Language

  const state = {
    key: null,
    user: null, // {name, role}
    // Two readers, one recommendation: the client reads it in her query's language, the advisor in
    // their own (a remembered setting); `view` says which one the results are shown in now.
    advisorLang: "en",
    view: "client", // "client" | "advisor"
    queryLang: null, // language of the last parsed query (the client's)
    // Product search: the chips shown (the server's, in order) and the semantic text they came with.
    chips: [],
    semantic: "",
    truncatedFrom: 0, // length of a dictation cut to the query limit (0: not cut)
    currency: null,
    lastBody: null,
    queryText: "", // the question as typed: what feedback on its results refers to
    hits: [],
    response: null,
    productRequest: null, // the AbortController of the product search in flight: one query, one result set
    facetsRequest: null,  // the AbortController of that search's facets request (asked after its results)
    sort: "relevance",
    studyBody: null,
    studyHits: [],
    studyResponse: null,
    dictationTouched: false,
  };

  function pageLanguage() {
    const nav = (navigator.language || "en").slice(0, 2).toLowerCase();
    return I18N.LANGUAGES.includes(nav) ? nav : "en";
  }

  /** The language the page speaks now: the client's once a query told it, unless the advisor's view is on. */
  function lang() {
    return state.view === "advisor" || !state.queryLang ? state.advisorLang : state.queryLang;
  }

  function savedAdvisorLanguage() {
    let saved = null;
    try { saved = localStorage.getItem(ADVISOR_LANG_STORAGE); } catch (_) { /* storage disabled */ }
    return saved && I18N.LANGUAGES.includes(saved) ? saved : pageLanguage();
  }

  /** Both languages differ: the page offers the switch between the client's and the advisor's view. */
  function twoLanguages() {
    return !!state.queryLang && state.queryLang !== state.advisorLang;
  }

  function t(key, vars) {
    const table = I18N.UI[lang()] || I18N.UI.en;
    let text = key in table ? table[key] : (I18N.UI.en[key] ?? key);
    for (const [name, value] of Object.entries(vars || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  /** t() with the plural form of the page language: KEY_one / KEY_few / KEY_many when the table has it. */
  function tn(key, n, vars) {
    const table = I18N.UI[lang()] || I18N.UI.en;
    let form = "other";
    try { form = new Intl.PluralRules(lang()).select(Number(n)); } catch (_) { /* unknown locale */ }
    const plural = key + "_" + form;
    return t(plural in table ? plural : key, { n, ...(vars || {}) });
  }

  /** Retailer standards (Clean at Sephora...) are lists a retailer keeps, not ingredient families. */
  function isStandard(id) {
    return (I18N.STANDARDS || []).includes(String(id));
  }

  function humanize(value) {
    return String(value || "").replace(/_/g, " ");
  }

  function familyName(id, form) {
    const entry = I18N.KB.families[id];
    const names = entry && (entry[lang()] || entry.en);
    return names ? names[form === "without" ? 1 : 0] : humanize(id);
  }

  function skinName(code, form) {
    const entry = I18N.KB.skin_types[code];
    const names = entry && (entry[lang()] || entry.en);
    return names ? names[form === "for" ? 1 : 0] : humanize(code);
  }

  function concernName(code) {
    const entry = I18N.KB.concerns[code];
    return entry ? entry[lang()] || entry.en : humanize(code);
  }

  function formatPrice(amount, currency) {
    if (amount === null || amount === undefined || amount === "") return "";
    const number = Number(amount);
    if (!Number.isFinite(number)) return String(amount);
    if (currency && /^[A-Z]{3}$/.test(currency)) {
      try {
        return new Intl.NumberFormat(lang(), { style: "currency", currency }).format(number);
      } catch (_) { /* unknown currency code: plain number below */ }
    }
    return new Intl.NumberFormat(lang()).format(number) + (currency ? " " + currency : "");
  }

  /** The label a chip shows, in the page language. */
  function chipLabel(chip) {
    const currency = state.currency;
    switch (chip.kind) {
      case "exclude_family": return isStandard(chip.value) ? t("chip_standard", { x: familyName(chip.value) })
        : t("chip_without", { x: familyName(chip.value, "without") });
      case "exclude_ingredient": return t("chip_without", { x: chip.value });
      case "include_ingredient": return t("chip_with", { x: chip.value });
      case "skin_type": return t("chip_for", { x: skinName(chip.value, "for") });
      case "concern": return t("chip_concern", { x: concernName(chip.value) });
      case "category": return t("chip_category", { x: chip.label || chip.value });  // the server's, in its language
      case "brand": return t("chip_brand", { x: chip.value });
      case "price_max": return t("chip_price_max", { x: formatPrice(chip.value, currency) });
      case "price_min": return t("chip_price_min", { x: formatPrice(chip.value, currency) });
      default: return chip.label || chip.value;
    }
  }

  /** Re-apply the interface strings (data-i18n attributes) after a language change. */
  function applyStaticStrings() {
    document.documentElement.lang = lang();
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    }
    for (const node of document.querySelectorAll("[data-i18n-label]")) {
      node.setAttribute("aria-label", t(node.dataset.i18nLabel));
      if (node.tagName === "SELECT" || node.tagName === "BUTTON") node.title = t(node.dataset.i18nLabel);
    }
    // Screen readers switch voice on lang: the regions holding the recommendation say which language they hold.
    for (const id of ["interpretation", "results", "facets-block", "products-status", "products-error"]) $(id).lang = lang();
    $("lang").value = state.advisorLang;
    renderViewSwitch();
    if (!state.dictationTouched && $("dictation-lang")) $("dictation-lang").value = lang();
    fillAddChoices();
    updateMicLabel();
    if (state.user) $("whoami").textContent = signedInText();
  }

  /** "For the client · Ελληνικά | For the advisor · Polski": each language name in its own language. */
  function renderViewSwitch() {
    const box = $("view-langs");
    if (!box) return;
    box.hidden = !state.response || !twoLanguages();
    if (box.hidden) return;
    const buttons = [["client", "view_client", state.queryLang], ["advisor", "view_advisor", state.advisorLang]];
    for (const [view, key, code] of buttons) {
      const button = clear($("view-" + view));
      button.setAttribute("aria-pressed", String(state.view === view));
      append(button, [el("span", { class: "view-role", text: t(key) }), " ",
                      el("span", { class: "view-lang-name", lang: code, text: I18N.ENDONYMS[code] || code })]);
    }
  }

  /** Show the same recommendation to the other reader: the same search again, in that reader's language. */
  function showView(view) {
    if (view === state.view && view === "client") return;
    state.view = view;
    applyStaticStrings();
    if (state.response) {
      renderProducts(state.response, false);  // chips and badges at once; the server's texts follow
      for (const hook of hooks.language) hook();
    }
    if (state.lastBody) rerun();
  }

  /** The search shown, again (every card shown), in the language shown now. */
  function rerun() {
    searchProducts({ ...state.lastBody, offset: 0, limit: Math.min(100, Math.max(PAGE_SIZE, state.hits.length)) });
  }

  function setQueryLanguage(code) {
    const before = lang();
    state.queryLang = I18N.LANGUAGES.includes(code) ? code : state.queryLang;
    if (lang() !== before) applyStaticStrings();
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** What the page says about a refused request: the server's sentence for the client (`message`, in the
   *  request's language) when it wrote one, else its `detail` (English, for the advisor and the logs). */
  function errorMessage(payload, status) {
    if (payload && typeof payload.message === "string" && payload.message) return payload.message;
    const detail = payload && (payload.detail ?? payload.error);
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return detail.map((d) => (d && d.msg ? (d.loc ? d.loc.slice(1).join(".") + ": " : "") + d.msg : String(d)))
        .join("; ");
    }
    if (detail && typeof detail === "object") return detail.message || JSON.stringify(detail);
    return "HTTP " + status;
  }

  async function api(method, path, body, options) {
    const headers = { Accept: "application/json" };
    if (state.key) headers.Authorization = "Bearer " + state.key;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                     signal: options && options.signal });
    } catch (err) {
      if (err && err.name === "AbortError") throw err;
      throw new ApiError(0, t("network_error"));  // the browser's own message ("Failed to fetch") is English
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch (_) { /* not JSON */ }
    if (!response.ok) {
      if (response.status === 401 && path !== "/v1/whoami") signOut(t("bad_key"));
      throw new ApiError(response.status, errorMessage(payload, response.status));
    }
    return payload;
  }

  function showError(regionId, message) {
    const region = $(regionId);
    clear(region);
    if (message) append(region, [t("error", { x: message })]);
    region.hidden = !message;
  }

  function setStatus(regionId, message) {
    $(regionId).textContent = message || "";
  }

  // ---------------------------------------------------------------------------------------------
  // Sign-in and views

  async function signIn(key) {
    state.key = key;
    showError("signin-error", "");
    let user;
    try {
      user = await api("GET", "/v1/whoami");
    } catch (err) {
      state.key = null;
      sessionStorage.removeItem(KEY_STORAGE);
      showError("signin-error", err.status === 401 ? t("bad_key") : err.message);
      showSignIn();
      return;
    }
    sessionStorage.setItem(KEY_STORAGE, key);
    state.user = { name: String(user.name), role: String(user.role) };
    $("signin").hidden = true;
    $("app").hidden = false;
    $("account").hidden = false;
    $("whoami").textContent = signedInText();
    $("tabs").hidden = !canSeeStudies();
    route();
    for (const hook of hooks.signIn) hook();
    ($("studies").hidden ? $("q") : $("study-q")).focus();
  }

  function signedInText() {
    const role = state.user.role;
    const name = ["advisor", "analyst", "admin"].includes(role) ? t("role_" + role) : role;
    return t("signed_in_as", { name: state.user.name, role: name });
  }

  function canSeeStudies() {
    return !!state.user && (state.user.role === "analyst" || state.user.role === "admin");
  }

  function showSignIn() {
    $("signin").hidden = false;
    $("app").hidden = true;
    $("account").hidden = true;
    $("key").focus();
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY_STORAGE);
    state.key = null;
    state.user = null;
    resetProducts();
    for (const hook of hooks.signOut) hook();
    $("key").value = "";
    showSignIn();
    showError("signin-error", message || "");
  }

  function selectTab(name, focus) {
    const studies = name === "studies" && canSeeStudies();
    $("tab-products").setAttribute("aria-selected", String(!studies));
    $("tab-studies").setAttribute("aria-selected", String(studies));
    $("tab-products").tabIndex = studies ? -1 : 0;
    $("tab-studies").tabIndex = studies ? 0 : -1;
    $("products").hidden = studies;
    $("studies").hidden = !studies;
    if (focus) (studies ? $("study-q") : $("q")).focus();
  }

  /** #studies opens the studies view; an advisor forcing it gets the error, not the view. */
  function route() {
    if (!["", "#", "#products", "#studies"].includes(location.hash)) return; // e.g. the skip link's #q
    const wanted = location.hash === "#studies" ? "studies" : "products";
    if (wanted === "studies" && !canSeeStudies()) {
      selectTab("products");
      showError("products-error", t("forbidden_studies") + " (403)");
      return;
    }
    showError("products-error", "");
    selectTab(wanted);
  }

  // ---------------------------------------------------------------------------------------------
  // Product search

  function resetProducts() {
    if (state.productRequest) state.productRequest.abort();
    abortFacets();
    Object.assign(state, { chips: [], semantic: "", currency: null, lastBody: null, hits: [], response: null, queryLang: null,
                           productRequest: null, sort: "relevance", view: "client" });
    $("q").value = "";
    $("sort").value = "relevance";
    setLoading(false);
    clearResults();
    $("interpretation").hidden = true;
    showError("products-error", "");
    setStatus("products-status", "");
  }

  /** Empty the chips and the result list: nothing on screen may describe another query. */
  function clearResults() {
    clear($("chips"));
    clear($("notes"));
    clear($("hits"));
    clear($("facets"));
    $("facets-block").hidden = true;
    $("refine-toggle").hidden = true;
    $("results-head").hidden = true;
    $("skip-results").hidden = true;
    $("no-results").hidden = true;
    $("more").hidden = true;
  }

  /** The request that re-runs the current chips: no parsing, the semantic text as the query. */
  function bodyFromChips(chips) {
    const body = {
      query: state.semantic, parse: false, limit: PAGE_SIZE, offset: 0,
      exclude: [], include: [], skin_type: [], concern: [], category: [], brand: [],
    };
    for (const chip of chips) {
      switch (chip.kind) {
        case "exclude_family": case "exclude_ingredient": case "exclude": body.exclude.push(chip.value); break;
        case "include_ingredient": body.include.push(chip.value); break;
        case "skin_type": body.skin_type.push(chip.value); break;
        case "concern": body.concern.push(chip.value); break;
        case "category": body.category.push(chip.value); break;
        case "brand": body.brand.push(chip.value); break;
        case "price_max": body.price_max = Number(chip.value); break;
        case "price_min": body.price_min = Number(chip.value); break;
        default: break;
      }
    }
    return body;
  }

  function chipKey(chip) {
    const kind = chip.kind === "exclude" ? "exclude_family" : chip.kind;
    return kind + "\u0000" + String(chip.value).toLowerCase();
  }

  /** The server's chips in the order the advisor already saw them; new ones at the end. */
  function inPreviousOrder(previous, next) {
    const rank = new Map(previous.map((chip, i) => [chipKey(chip), i]));
    return next.map((chip, i) => ({ chip, i }))
      .sort((a, b) => (rank.get(chipKey(a.chip)) ?? 1e6 + a.i) - (rank.get(chipKey(b.chip)) ?? 1e6 + b.i))
      .map((x) => x.chip);
  }

  /** While a search is in flight the shown results are dimmed and cannot be acted on. */
  function setLoading(loading) {
    const layout = $("layout");
    layout.classList.toggle("loading", loading);
    layout.inert = loading;
    $("interpretation").classList.toggle("loading", loading);
    if (loading) $("products").setAttribute("aria-busy", "true");
    else $("products").removeAttribute("aria-busy");
  }

  /** One query, one result set: a new search cancels the one in flight, whose answer is then dropped. */
  /** The server refused the request itself (a constraint it cannot apply), as opposed to failing. */
  function refused(err) {
    return err instanceof ApiError && (err.status === 400 || err.status === 422);
  }

  async function searchProducts(body, { append: more = false, focusChip = null, boxBefore = null, fresh = false } = {}) {
    if (state.productRequest) state.productRequest.abort();
    if (!more) abortFacets();  // the facets of the list being replaced are no use any more
    const controller = new AbortController();
    state.productRequest = controller;
    if (!more && state.sort !== "relevance") body = { ...body, sort: state.sort };
    // The results alone: the facets are asked for once they are shown (loadFacets), so the first page
    // never waits for the facet counts.
    body = { ...body, facets: false };
    setLoading(true);
    setStatus("products-status", t("searching"));
    showError("products-error", "");
    // Every text of the answer in the language shown; a new query's own language is the server's to detect.
    if (!fresh) body = { ...body, language: lang() };
    let response;
    try {
      response = await api("POST", "/v1/search/products", body, { signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted || (err && err.name === "AbortError")) return; // a newer search owns the page
      state.productRequest = null;
      setLoading(false);
      setStatus("products-status", "");
      if (refused(err) && boxBefore !== null) {
        // A constraint the server refused changed nothing: the previous query and its results stay.
        setQueryBox(boxBefore);
        showError("products-error", err.message);
        return;
      }
      // A failed search: the error replaces the results it belongs to, and their chips go with them.
      if (!more) {
        Object.assign(state, { hits: [], response: null });
        clearResults();
        $("interpretation").hidden = true;
      }
      // A server failure is said in the page's language (its English detail is for the logs).
      showError("products-error", err.status >= 500 ? t("search_failed", { n: err.status }) : err.message);
      return;
    }
    if (state.productRequest !== controller) return;
    state.productRequest = null;
    setLoading(false);
    state.lastBody = body;
    state.response = response;
    if (!more) {
      const chips = response.interpretation.chips.map((c) => ({ ...c }));
      state.chips = body.parse === false ? inPreviousOrder(state.chips, chips) : chips;
      if (body.parse !== false) {
        state.semantic = response.interpretation.semantic_text || "";
        // A re-run with explicit prices does not restate the currency: keep the one the client said.
        state.currency = (response.interpretation.constraints || {}).currency || null;
        setQueryLanguage(response.interpretation.language);
      }
      state.hits = [];
    }
    state.hits = state.hits.concat(response.hits);
    renderProducts(response, more);
    if (focusChip !== null) focusAfterChipChange(focusChip);
    if (!more) loadFacets(body);
  }

  function abortFacets() {
    if (state.facetsRequest) state.facetsRequest.abort();
    state.facetsRequest = null;
    $("facets").removeAttribute("aria-busy");
  }

  /** The facets of the list shown, asked for right after its results and rendered when they come; a
   * newer search aborts them (and an answer that still arrives for an older list is dropped). Without
   * them the results stand, with the refinements already chosen. */
  async function loadFacets(body) {
    abortFacets();
    const controller = new AbortController();
    state.facetsRequest = controller;
    $("facets").setAttribute("aria-busy", "true");
    let answer;
    try {
      answer = await api("POST", "/v1/search/products/facets", body, { signal: controller.signal });
    } catch (_) {
      if (state.facetsRequest === controller) abortFacets();
      return;
    }
    if (state.facetsRequest !== controller) return;
    abortFacets();
    renderFacets(answer.facets || {}, answer.total);
  }

  function runQuery() {
    const query = $("q").value.trim();
    if (!query) {
      $("q").focus();
      return;
    }
    state.queryText = query;
    state.view = "client";  // a new question is the client's: its answer in her language first
    searchProducts({ query, limit: PAGE_SIZE, offset: 0 }, { fresh: true });
  }

  /** Keep the search box saying what the chips say: a removed chip's words leave the box. */
  function setQueryBox(text) {
    const clean = String(text).replace(/\s+/g, " ").trim();
    $("q").value = clean;
    state.queryText = clean;
  }

  function withoutWords(text, words) {
    const needle = String(words || "").trim();
    if (!needle) return null;
    const at = text.toLowerCase().indexOf(needle.toLowerCase());
    return at < 0 ? null : text.slice(0, at) + " " + text.slice(at + needle.length);
  }

  function removeChip(index) {
    const removed = state.chips[index];
    const chips = state.chips.filter((_, i) => i !== index);
    const box = $("q").value;
    const rest = withoutWords(box, removed.source_text) ?? withoutWords(box, chipLabel(removed));
    if (rest !== null) setQueryBox(rest);
    if (!chips.length && !state.semantic) {
      resetProducts();
      $("q").focus();
      return;
    }
    state.chips = chips;
    searchProducts(bodyFromChips(chips), { focusChip: index });
  }

  function addChip(chip, focusChip = -1) {
    const exists = state.chips.some((c) => chipKey(c) === chipKey(chip));
    if (exists) return;
    const label = chipLabel(chip);
    const boxBefore = $("q").value;
    if (!boxBefore.toLowerCase().includes(label.toLowerCase())) setQueryBox(boxBefore + " " + label);
    searchProducts(bodyFromChips(state.chips.concat([chip])), { focusChip, boxBefore });
  }

  /** Replace the price chips by the range typed (an empty box removes its bound). */
  function applyPriceRange() {
    const min = $("price-min").value.trim();
    const max = $("price-max").value.trim();
    const chips = state.chips.filter((c) => c.kind !== "price_min" && c.kind !== "price_max");
    if (min !== "") chips.push({ kind: "price_min", value: String(Number(min)), label: min, source_text: "", known: true });
    if (max !== "") chips.push({ kind: "price_max", value: String(Number(max)), label: max, source_text: "", known: true });
    if (!state.currency) state.currency = catalogCurrency();
    searchProducts(bodyFromChips(chips), { focusChip: -1 });
  }

  function focusAfterChipChange(index) {
    const buttons = $("chips").querySelectorAll("button.chip-remove");
    if (index >= 0 && buttons.length) buttons[Math.min(index, buttons.length - 1)].focus();
    else if (index >= 0) $("add-toggle").focus();
  }

  /** The currencies of the results shown, most frequent first. */
  function shownCurrencies() {
    const counts = new Map();
    for (const hit of state.hits) if (hit.currency) counts.set(hit.currency, (counts.get(hit.currency) || 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([code]) => code);
  }

  function catalogCurrency() {
    return state.currency || shownCurrencies()[0] || null;
  }

  function renderProducts(response, more) {
    const interp = response.interpretation;
    setStatus("products-status", "");
    $("interpretation").hidden = false;
    $("results-head").hidden = false;
    $("skip-results").hidden = false;

    // Chips
    const chipList = clear($("chips"));
    state.chips.forEach((chip, index) => {
      const label = chipLabel(chip);
      const title = [chip.source_text ? "“" + chip.source_text + "”" : "", chip.known === false ? t("not_in_kb") : ""]
        .filter(Boolean).join(" · ");
      chipList.append(el("li", { class: "chip chip-" + chip.kind + (chip.known === false ? " chip-unknown" : ""),
                                 dataset: { kind: chip.kind, value: chip.value } },
        el("span", { class: "chip-label", title: title || null, text: label }),
        chip.known === false ? el("span", { class: "chip-flag", "aria-label": t("not_in_kb"), title: t("not_in_kb"), text: "?" }) : null,
        el("button", { type: "button", class: "chip-remove", "aria-label": t("remove_chip", { x: label }),
                       title: t("remove"), onclick: () => removeChip(index), text: "✕" })));
    });
    $("no-chips").hidden = state.chips.length > 0;
    $("summary").textContent = interp.summary || "";
    $("summary").hidden = !interp.summary;

    // Notes
    const notes = clear($("notes"));
    for (const warning of interp.warnings || []) notes.append(el("li", { text: warning }));
    for (const item of interp.ignored || []) {  // what the search could not use, said rather than dropped
      notes.append(el("li", { class: "ignored ignored-" + item.reason, text: t("ignored_" + item.reason, { x: item.text }) }));
    }
    if (state.truncatedFrom) notes.append(el("li", { class: "truncated", text: t("dictation_truncated", { n: state.truncatedFrom, max: MAX_QUERY }) }));
    $("notes-block").hidden = !notes.children.length;

    // Totals: timings are for analysts and admins, not for the advisor in the store.
    $("total").textContent = tn("total", response.total);
    $("took").hidden = !canSeeStudies();
    $("took").textContent = " · " + t("took", { ms: Math.round(response.took_ms) });

    // Hits
    const list = $("hits");
    if (!more) clear(list);
    const start = list.children.length;
    response.hits.forEach((hit, i) => list.append(productCard(hit, start + i)));
    $("no-results").hidden = state.hits.length > 0;
    // Why nothing is shown and what to do, from the server in the response language (else the page's words).
    $("no-results").textContent = response.message || t("no_results");
    $("more").hidden = state.hits.length >= response.total || response.hits.length < response.limit;
    renderCurrency();

    // Facets: the choices made at once; the values to pick from when their own request answers.
    if (!more) renderFacets({}, response.total);
    renderViewSwitch();
  }

  /** Prices are never converted: a list with several currencies says so, and the price range says
   * which currency it compares in. */
  function renderCurrency() {
    const currencies = shownCurrencies();
    const note = $("currency-note");
    note.hidden = currencies.length < 2;
    note.textContent = currencies.length < 2 ? "" : t("mixed_currencies", { x: currencies.join(", ") });
    const currency = catalogCurrency();
    $("price-legend").textContent = currency ? t("price_range_in", { x: currency }) : t("price_range");
    const min = state.chips.find((c) => c.kind === "price_min");
    const max = state.chips.find((c) => c.kind === "price_max");
    $("price-min").value = min ? min.value : "";
    $("price-max").value = max ? max.value : "";
  }

  function formatCount(n) {
    return new Intl.NumberFormat(lang()).format(Number(n));
  }

  // The card itself is product-card.js (loaded after this file; used once the page has started).
  function productCard(hit, index) {
    return window.ConseilCards.productCard(hit, index);
  }

  function loadProductDetails(hit, details) {
    return window.ConseilCards.loadProductDetails(hit, details);
  }

  const FACET_KINDS = { brand: "brand", category: "category", skin_type: "skin_type" };
  const NARROW = window.matchMedia("(max-width: 899px)");

  /** A facet value as shown: brands as the retailer writes them, the others in the language shown. */
  function facetValue(kind, value, serverLabel) {
    const label = facetLabel(kind, value, serverLabel);
    if (kind === "brand") return el("span", { class: "verbatim", translate: "no", text: label });
    return el("span", { text: label });
  }

  /** Skin types named here (at once, in the language shown); categories as the server labels them. */
  function facetLabel(kind, value, serverLabel) {
    return kind === "skin_type" ? skinName(value) : String(serverLabel || value);
  }

  /** Refine means narrow: every group applies together (AND). A value is offered only when taking it
   * would shrink the list (0 < count < total); a group with a choice shows that choice (tap to remove)
   * and offers no second one, since two values of one group would widen the list (either of them). */
  function renderFacets(facets, totalCount) {
    const box = clear($("facets"));
    let any = false;
    box.append(el("p", { class: "facet-hint", text: t("refine_hint") }));
    for (const [name, kind] of Object.entries(FACET_KINDS)) {
      const chosen = state.chips.filter((chip) => chip.kind === kind).map((chip) => ({ chip }));
      const offered = chosen.length ? [] : (facets[name] || []).filter((f) => f.count > 0 && f.count < totalCount);
      if (!chosen.length && !offered.length) continue;
      any = true;
      const headingId = "facet-" + name;
      box.append(el("section", { class: "facet", "aria-labelledby": headingId },
        el("h3", { id: headingId, text: t(chosen.length ? "facet_chosen" : "facet_pick", { x: t("facet_" + name) }) }),
        el("ul", {},
          // The choice itself is removed with its chip: one control per constraint on the page.
          chosen.map(({ chip }) => el("li", { class: "facet-value chosen", dataset: { kind, value: chip.value } },
            el("span", { "aria-hidden": "true", text: "✓ " }), facetValue(kind, chip.value, chip.label))),
          offered.map((f) => {
            const label = facetLabel(kind, f.value, f.label);
            // The accessible name is the visible text (value and count); the sentence is the tooltip.
            return el("li", {}, el("button", {
              type: "button", class: "facet-value", dataset: { kind, value: f.value },
              title: tn("add_filter", f.count, { x: label }),
              onclick: () => { closeRefine(); addChip({ kind, value: String(f.value), label, source_text: "", known: true }); },
            }, facetValue(kind, f.value, f.label), el("span", { class: "count", text: String(f.count) })));
          }))));
    }
    const refinements = state.chips.filter((c) => c.kind in FACET_KINDS || c.kind === "price_min" || c.kind === "price_max");
    $("refine-toggle").textContent = t("refine_n", { n: refinements.length });
    state.facetsShown = any || state.hits.length > 0;
    placeRefine();
  }

  /** Results first on a tablet: below 900 px the refine panel folds behind a "Refine (n)" button
   * placed before the cards (one Tab stop); wider, it is a column after the results. */
  function placeRefine() {
    const block = $("facets-block");
    const toggle = $("refine-toggle");
    const shown = !!state.facetsShown;
    if (NARROW.matches) {
      if (block.parentNode !== $("refine-slot")) $("refine-slot").append(block);
      toggle.hidden = !shown;
      block.hidden = !shown || toggle.getAttribute("aria-expanded") !== "true";
    } else {
      if (block.parentNode !== $("layout")) $("layout").append(block);
      toggle.hidden = true;
      block.hidden = !shown;
    }
  }

  function closeRefine() {
    if (!NARROW.matches) return;
    $("refine-toggle").setAttribute("aria-expanded", "false");
    placeRefine();
    $("refine-toggle").focus();
  }

  function toggleRefine() {
    const open = $("refine-toggle").getAttribute("aria-expanded") !== "true";
    $("refine-toggle").setAttribute("aria-expanded", String(open));
    placeRefine();
    if (open) {
      const first = $("facets-block").querySelector("input, button");
      if (first) first.focus();
    }
  }

  // "Add" control: without a family or ingredient / with an ingredient / skin type / concern.
  function fillAddChoices() {
    const kind = $("add-kind").value;
    const select = $("add-choice");
    const previous = select.value;
    clear(select);
    const datalist = clear($("family-names"));
    for (const id of Object.keys(I18N.KB.families)) datalist.append(el("option", { value: familyName(id) }));
    if (kind === "skin_type") {
      for (const code of Object.keys(I18N.KB.skin_types)) select.append(el("option", { value: code, text: skinName(code) }));
    } else if (kind === "concern") {
      for (const code of Object.keys(I18N.KB.concerns)) select.append(el("option", { value: code, text: concernName(code) }));
    }
    if (previous) select.value = previous;
    const usesSelect = kind === "skin_type" || kind === "concern";
    select.hidden = !usesSelect;
    $("add-text").hidden = usesSelect;
    $("add-text").setAttribute("list", kind === "exclude" ? "family-names" : "");
    $("add-value-label").htmlFor = usesSelect ? "add-choice" : "add-text";
  }

  function submitAdd() {
    const kind = $("add-kind").value;
    const value = kind === "skin_type" || kind === "concern" ? $("add-choice").value : $("add-text").value.trim();
    if (!value) {
      $("add-text").focus();
      return;
    }
    $("add-text").value = "";
    // A family name typed in any language goes to the server as typed: it resolves names in 7 languages.
    addChip({ kind: kind === "exclude" ? "exclude" : kind === "include" ? "include_ingredient" : kind, value,
              label: value, source_text: "", known: true });
  }

  // ---------------------------------------------------------------------------------------------
  // Dictation (Web Speech API), only where the browser offers it

  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  let recognizer = null;

  function setupDictation() {
    const select = $("dictation-lang");
    for (const code of I18N.LANGUAGES) {
      select.append(el("option", { value: code, lang: code, text: I18N.ENDONYMS[code] }));
    }
    select.value = lang();
    const supported = typeof Recognition === "function";
    $("mic").hidden = !supported;
    $("dictation").hidden = !supported;
    if (!supported) return;
    select.addEventListener("change", () => { state.dictationTouched = true; });
    $("mic").addEventListener("click", toggleDictation);
  }

  /** The Web Speech error code ("not-allowed", "no-speech"...) in the page language, never the browser's English. */
  function dictationReason(code) {
    const key = "dict_" + String(code || "unknown").replace(/-/g, "_");
    return t(key in I18N.UI.en ? key : "dict_unknown");
  }

  function updateMicLabel() {
    const mic = $("mic");
    if (!mic) return;
    const listening = !!recognizer;
    mic.setAttribute("aria-pressed", String(listening));
    mic.setAttribute("aria-label", listening ? t("dictate_stop") : t("dictate"));
    mic.title = listening ? t("dictate_stop") : t("dictate");
  }

  function toggleDictation() {
    if (recognizer) {
      recognizer.stop();
      return;
    }
    let rec;
    try {
      rec = new Recognition();
    } catch (_) {
      showError("products-error", t("dictation_error", { x: t("dict_unknown") }));
      return;
    }
    recognizer = rec;
    rec.lang = I18N.SPEECH_LOCALES[$("dictation-lang").value] || $("dictation-lang").value;
    rec.interimResults = true;
    rec.continuous = false;
    rec.maxAlternatives = 1;
    let finalText = "";
    rec.onresult = (event) => {
      let interim = "";
      for (let i = event.resultIndex; i < event.results.length; i++) {
        const result = event.results[i];
        if (result.isFinal) finalText += result[0].transcript;
        else interim += result[0].transcript;
      }
      $("q").value = (finalText + interim).trim();
    };
    rec.onerror = (event) => {
      if (event.error === "aborted") return;  // the advisor stopped it
      showError("products-error", t("dictation_error", { x: dictationReason(event.error) }));
    };
    rec.onend = () => {
      recognizer = null;
      updateMicLabel();
      setStatus("products-status", "");
      if (finalText.trim()) {
        const text = finalText.trim();
        $("q").value = text.slice(0, MAX_QUERY);  // the search takes MAX_QUERY characters: say so when cut
        state.truncatedFrom = text.length > MAX_QUERY ? text.length : 0;
        runQuery();
      }
    };
    try {
      rec.start();
    } catch (err) {
      recognizer = null;
      showError("products-error", t("dictation_error", { x: dictationReason(err && err.name === "NotAllowedError" ? "not-allowed" : "") }));
      return;
    }
    setStatus("products-status", t("listening"));
    updateMicLabel();
  }

  // ---------------------------------------------------------------------------------------------
  // Feedback: 👍/👎 on a product, a study passage or an answer (POST /v1/feedback)

  // Thumbs drawn as SVG (Feather icons' outlines, MIT): an emoji needs a colour-emoji font, which
  // some tablets and kiosk browsers lack.
  const THUMBS = {
    up: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3",
    down: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17",
  };

  function thumbIcon(up) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    for (const [name, value] of Object.entries({ width: "20", height: "20", viewBox: "0 0 24 24", fill: "none",
      stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round",
      "aria-hidden": "true", focusable: "false" })) svg.setAttribute(name, value);
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", up ? THUMBS.up : THUMBS.down);
    svg.append(path);
    return svg;
  }

  /** A labelled pair of buttons (👍/👎); one vote per item shown, then a short thanks (or the error). */
  function feedbackButtons(item, name) {
    const note = el("span", { class: "fb-note", role: "status", "aria-live": "polite" });
    const buttons = [];
    const send = async (helpful, button) => {
      buttons.forEach((b) => { b.disabled = true; });
      note.textContent = "";
      try {
        await api("POST", "/v1/feedback", { ...item, helpful, language: lang() });
      } catch (err) {
        buttons.forEach((b) => { b.disabled = false; });
        note.textContent = t("fb_error", { x: err.message });
        return;
      }
      button.setAttribute("aria-pressed", "true");
      note.textContent = t("fb_thanks");
    };
    for (const [helpful, label] of [[true, "fb_up"], [false, "fb_down"]]) {
      const button = el("button", { type: "button", class: "fb " + (helpful ? "fb-up" : "fb-down"),
                                    "aria-pressed": "false", "aria-label": t(label) + (name ? " — " + name : ""),
                                    title: t(label) }, thumbIcon(helpful));
      button.addEventListener("click", () => send(helpful, button));
      buttons.push(button);
    }
    return el("div", { class: "feedback", role: "group", "aria-label": t("fb_group") },
      el("span", { class: "fb-question", "aria-hidden": "true", text: t("fb_group") }), buttons, note);
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  /** The advisor's language: remembered on this device; choosing it shows the recommendation in it. */
  function setupLanguagePicker() {
    const select = $("lang");
    state.advisorLang = savedAdvisorLanguage();
    for (const code of I18N.LANGUAGES) select.append(el("option", { value: code, lang: code, text: I18N.ENDONYMS[code] }));
    select.value = state.advisorLang;
    select.addEventListener("change", () => {
      state.advisorLang = select.value;
      try { localStorage.setItem(ADVISOR_LANG_STORAGE, select.value); } catch (_) { /* storage disabled */ }
      if (state.response && twoLanguages()) {
        showView("advisor");
        return;
      }
      const wasAdvisor = state.view === "advisor";
      state.view = "client";
      applyStaticStrings();
      if (state.response) renderProducts(state.response, false);
      for (const hook of hooks.language) hook();
      if (wasAdvisor && state.lastBody) rerun();  // the texts shown came in the advisor's former language
    });
    $("view-client").addEventListener("click", () => showView("client"));
    $("view-advisor").addEventListener("click", () => showView("advisor"));
  }

  function setupTabs() {
    const tabs = [$("tab-products"), $("tab-studies")];
    tabs.forEach((tab, i) => {
      tab.addEventListener("click", () => {
        history.replaceState(null, "", i ? "#studies" : "#products");
        selectTab(i ? "studies" : "products");
      });
      tab.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
        const next = tabs[(i + 1) % tabs.length];
        next.click();
        next.focus();
        event.preventDefault();
      });
    });
  }

  // What ask.js (the answer box) uses from this file, and the hooks it registers.
  const hooks = { signOut: [], language: [], signIn: [] };
  window.ConseilPage = Object.freeze({
    el, append, clear, t, lang, api, state, markedText, showError, setStatus, feedbackButtons,
    loadProductDetails, signOut, hooks, ApiError, errorMessage, tn, canSeeStudies, familyName, isStandard,
    skinName, concernName, formatPrice, formatCount, humanize,
  });

  function init() {
    NARROW.addEventListener("change", placeRefine);
    $("refine-toggle").addEventListener("click", toggleRefine);
    $("facets-block").addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeRefine();
    });
    $("skip-results").addEventListener("click", (event) => {
      event.preventDefault();
      const first = $("hits").querySelector(".card");
      (first || $("hits")).focus();
    });
    $("add-toggle").addEventListener("click", () => {
      const open = $("add-form").hidden;
      $("add-form").hidden = !open;
      $("add-toggle").setAttribute("aria-expanded", String(open));
      if (open) $("add-kind").focus();
    });
    $("sort").addEventListener("change", () => {
      state.sort = $("sort").value;
      if (state.lastBody) searchProducts({ ...state.lastBody, offset: 0, sort: state.sort });
    });
    $("price-form").addEventListener("submit", (event) => {
      event.preventDefault();
      closeRefine();
      applyPriceRange();
    });
    setupLanguagePicker();
    setupDictation();
    setupTabs();
    applyStaticStrings();

    $("signin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("key").value.trim();
      if (key) signIn(key);
      else $("key").focus();
    });
    $("signout").addEventListener("click", () => signOut(""));
    document.querySelector(".skip-link").addEventListener("click", (event) => {
      event.preventDefault();
      const target = $("app").hidden ? $("key") : $("studies").hidden ? $("q") : $("study-q");
      target.focus();
    });
    $("product-form").addEventListener("submit", (event) => {
      event.preventDefault();
      state.truncatedFrom = 0; // typed, not dictated
      runQuery();
    });
    $("more").addEventListener("click", () => {
      if (state.lastBody) searchProducts({ ...state.lastBody, offset: state.hits.length }, { append: true });
    });
    $("add-kind").addEventListener("change", fillAddChoices);
    $("add-form").addEventListener("submit", (event) => {
      event.preventDefault();
      submitAdd();
    });
    window.addEventListener("hashchange", () => { if (state.user) route(); });

    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved) signIn(saved);
    else showSignIn();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
