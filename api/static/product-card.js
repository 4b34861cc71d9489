/* Conseil web page: a product card (advisors' results): badges, audit warnings, rating and size,
 * the ingredient list with its legend (each identified ingredient opens its card), retailer standards
 * apart from ingredient families, and the details fetched once from GET /v1/products/{id}.
 *
 * Split from app.js, whose helpers it uses (window.ConseilPage); app.js renders the list with
 * window.ConseilCards.productCard. Everything is put in the page as text (no innerHTML).
 */
(function () {
  "use strict";

  const P = window.ConseilPage;
  const { el, clear, t, tn, lang, api, state, familyName, skinName, concernName, formatPrice, formatCount,
          humanize, isStandard, feedbackButtons } = P;

  /** Text as the retailer wrote it (product and brand names, ingredient lists): never translated, and
   * marked so (translate="no", class "verbatim") for translation tools and the page's language checks. */
  function verbatim(tag, text, attrs) {
    return el(tag, { ...(attrs || {}), class: [attrs && attrs.class, "verbatim"].filter(Boolean).join(" "), translate: "no", text });
  }

  /** t(key, vars) as nodes, the variables named in `kept` as verbatim spans (ingredient names in a sentence). */
  function sentence(key, vars, kept) {
    const marks = {};
    Object.keys(kept).forEach((name, i) => { marks[name] = "\u0001" + i + "\u0001"; });
    const text = t(key, { ...vars, ...marks });
    const values = Object.values(kept);
    return text.split("\u0001").map((part, i) => (i % 2 ? verbatim("span", values[Number(part)]) : part))
      .filter((part) => part !== "");
  }

  function excludedFamilies() {
    return new Set(state.chips.filter((c) => c.kind === "exclude_family").map((c) => c.value));
  }

  /** Rating, reviews, loves and size, as sephora.com shows them; absent values are simply left out. */
  function popularity(hit) {
    const parts = [];
    if (typeof hit.rating === "number") {
      const stars = new Intl.NumberFormat(lang(), { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(hit.rating);
      parts.push(el("span", { class: "rating", "aria-label": t("rating_label", { x: stars }) },
        el("span", { "aria-hidden": "true", text: "★ " + stars })));
      if (typeof hit.reviews === "number") parts.push(el("span", { class: "reviews", text: tn("reviews_n", hit.reviews, { n: formatCount(hit.reviews) }) }));
    }
    if (typeof hit.loves === "number") parts.push(el("span", { class: "loves", text: tn("loves_n", hit.loves, { n: formatCount(hit.loves) }) }));
    if (hit.size) parts.push(el("span", { class: "size", text: String(hit.size) }));
    return parts.length ? el("p", { class: "popularity" }, parts) : null;
  }

  /** The product image when the catalog gives one (http(s) only); otherwise a neutral placeholder. */
  function productImage(hit) {
    if (typeof hit.image_url === "string" && /^https?:\/\//i.test(hit.image_url)) {
      return el("img", { class: "product-image", src: hit.image_url, alt: "", loading: "lazy", referrerpolicy: "no-referrer" });
    }
    return el("div", { class: "product-image placeholder", "aria-hidden": "true" });
  }

  function productCard(hit, index) {
    const titleId = "hit-" + index + "-title";
    const excluded = excludedFamilies();
    const allFamilies = hit.matched_families || {};
    // Retailer standards are not families: they are listed apart, as "not allowed under ...".
    const families = Object.fromEntries(Object.entries(allFamilies).filter(([f]) => !isStandard(f)));
    const standards = Object.entries(allFamilies).filter(([f]) => isStandard(f));
    // ingredient name -> families it belongs to
    const byIngredient = new Map();
    for (const [family, names] of Object.entries(families)) {
      for (const name of names) {
        if (!byIngredient.has(name)) byIngredient.set(name, []);
        byIngredient.get(name).push(family);
      }
    }

    const meta = el("p", { class: "meta" },
      hit.brand ? verbatim("span", hit.brand, { class: "brand" }) : null,
      hit.price !== null && hit.price !== undefined ? el("span", { class: "price", text: formatPrice(hit.price, hit.currency) }) : null);

    const tags = el("ul", { class: "tags", "aria-label": t("skin_types") },
      (hit.skin_types || []).map((code) => el("li", { class: "tag", text: skinName(code) })));

    const badges = el("ul", { class: "badges" });
    for (const why of hit.why || []) {
      const [kind, value] = String(why.constraint).split(/:(.*)/s);
      let text = null;
      if (kind === "exclude_family") text = isStandard(value) ? t("meets_standard", { x: familyName(value) })
        : t("free_of", { x: familyName(value, "without") });
      else if (kind === "exclude_ingredient") text = t("free_of", { x: value });
      else if (kind === "include_ingredient") text = t("contains", { x: value });
      else if (kind === "skin_type") text = t("chip_for", { x: skinName(value, "for") });
      else if (kind === "concern") text = t("concern_badge", { x: concernName(value) });
      if (!text) continue;
      badges.append(el("li", { class: "badge", title: why.text, dataset: { constraint: why.constraint } },
        text + " ", el("span", { class: "check", "aria-hidden": "true", text: "✓" }),
        " " + t("verified")));
    }

    const warnings = el("ul", { class: "audit" });
    for (const w of hit.warnings || []) {
      const claimed = String(w.claim || "");
      const family = claimed.startsWith("without:") ? claimed.slice(8) : null;
      const offending = (w.offending || []).join(", ");
      const text = family === null ? [w.text]
        : isStandard(family) ? sentence("standard_claim_warning", { x: familyName(family) }, { y: offending })
          : sentence("claim_warning", { x: familyName(family, "without") }, { y: offending });
      warnings.append(el("li", { class: "warning", title: w.text },
        el("span", { "aria-hidden": "true", text: "⚠ " }), text));
    }

    const allergens = families.fragrance_allergens || [];
    const excludedHere = Object.keys(allFamilies).filter((f) => excluded.has(f));

    const ingredientItems = (hit.ingredients || []).map((name) => {
      const fams = byIngredient.get(name) || [];
      const bad = fams.some((f) => excluded.has(f)) || standards.some(([f, names]) => excluded.has(f) && names.includes(name));
      const allergen = fams.includes("fragrance_allergens");
      const cls = ["ingredient", fams.length ? "in-family" : "", allergen ? "allergen" : "", bad ? "excluded" : ""]
        .filter(Boolean).join(" ");
      const famText = fams.map((f) => familyName(f)).join(", ");
      return el("li", { class: cls, dataset: { name } },
        el("button", { type: "button", class: "ingredient-name verbatim", translate: "no", "aria-haspopup": "dialog",
                       onclick: (event) => openIngredient(name, event.currentTarget) }, name),
        famText ? el("span", { class: "visually-hidden", text: " (" + famText + ")" }) : null);
    });
    const familyList = el("ul", { class: "family-list" },
      Object.entries(families).map(([family, names]) => el("li", { class: excluded.has(family) ? "excluded" : null },
        el("strong", { text: familyName(family) + ": " }), verbatim("span", names.join(", ")),
        excluded.has(family) ? " — " + t("excluded_present") : null)));
    const standardList = standards.length ? el("ul", { class: "standard-list" },
      standards.map(([standard, names]) => el("li", {},
        sentence("not_allowed_under", { x: familyName(standard) }, { y: names.join(", ") })))) : null;

    // The server's reasons, in the language asked for: what the advisor reads out (a tablet has no tooltips).
    const reasons = (hit.why || []).map((why) => String(why.text || "")).filter(Boolean);
    const details = el("details", { class: "more-details" },
      el("summary", { text: t("details") }),
      reasons.length ? el("div", { class: "why" }, el("h4", { text: t("why_title") }),
        el("ul", { class: "why-list" }, reasons.map((text) => el("li", { text })))) : null,
      el("dl", { class: "facts" }, fact(t("reference"), hit.id, true), fact(t("source"), hit.source, true),
        fact(t("concerns"), (hit.concerns || []).map(concernName).join(", ")),
        fact(t("claims"), claimsText(hit))),
      el("div", { class: "extra" }));
    details.addEventListener("toggle", () => { if (details.open) loadProductDetails(hit, details); });

    const ingredients = hit.ingredients && hit.ingredients.length ? el("details", { class: "ingredients" },
      el("summary", { text: t("ingredients", { n: hit.ingredients.length }) }),
      ingredientLegend(),
      el("ol", { class: "ingredient-list" }, ingredientItems),
      el("p", { class: "note unidentified-note", hidden: true }),
      Object.keys(families).length ? el("div", { class: "families" },
        el("h4", { text: t("ingredient_families") }), familyList) : null,
      standardList ? el("div", { class: "standards" }, el("h4", { text: t("retailer_standards") }), standardList) : null) : null;
    if (ingredients) ingredients.addEventListener("toggle", () => { if (ingredients.open) markUnidentified(hit, ingredients); });

    return el("li", { class: "card-item" }, el("article", { class: "card", tabindex: "-1", "aria-labelledby": titleId, dataset: { id: hit.id } },
      productImage(hit),
      verbatim("h3", hit.name, { id: titleId, class: "card-title" }),
      meta,
      popularity(hit),
      breadcrumb(hit),
      tags.children.length ? tags : null,
      badges.children.length ? badges : null,
      warnings.children.length ? warnings : null,
      allergens.length ? el("p", { class: "note allergen-note" }, sentence("allergens_note", {}, { x: allergens.join(", ") })) : null,
      excludedHere.length ? el("p", { class: "note excluded-note", role: "alert",
                                      text: excludedHere.map((f) => familyName(f)).join(", ") + ": " + t("excluded_present") }) : null,
      ingredients,
      details,
      feedbackButtons({ kind: "search", query: state.queryText || state.semantic, target_id: hit.id, rank: index + 1 },
                      hit.name)));
  }

  function openIngredient(name, trigger) {
    if (window.ConseilIngredientCard) window.ConseilIngredientCard.open(name, trigger);
  }

  /** What the markings in an ingredient list mean: tablets have no hover, so it is written out. */
  function ingredientLegend() {
    return el("ul", { class: "legend", "aria-label": t("legend") },
      el("li", {}, el("span", { class: "swatch allergen", text: t("legend_sample") }), " " + t("legend_allergen")),
      el("li", {}, el("span", { class: "swatch in-family", text: t("legend_sample") }), " " + t("legend_family")),
      el("li", {}, el("span", { class: "swatch excluded", text: t("legend_sample") }), " " + t("legend_excluded")),
      el("li", {}, el("span", { class: "swatch unidentified", text: t("legend_sample") }), " " + t("legend_unidentified")),
      el("li", { class: "legend-tap", text: t("legend_tap") }));
  }

  /** Items the knowledge base does not identify are plain text (nothing to open), counted once. */
  async function markUnidentified(hit, box) {
    if (box.dataset.marked) return;
    box.dataset.marked = "1";
    let product;
    try {
      product = await productOf(hit);
    } catch (_) {
      delete box.dataset.marked;
      return;
    }
    const unknown = new Set((product.unknown_ingredients || []).map((n) => String(n).toLowerCase()));
    let count = 0;
    for (const item of box.querySelectorAll(".ingredient-list li")) {
      if (!unknown.has(String(item.dataset.name).toLowerCase())) continue;
      count += 1;
      item.classList.add("unidentified");
      const button = item.querySelector("button");
      if (button) button.replaceWith(verbatim("span", item.dataset.name));
    }
    const note = box.querySelector(".unidentified-note");
    note.hidden = count === 0;
    note.textContent = count ? tn("unidentified_n", count) : "";
  }

  const productCache = new Map();

  function productOf(hit) {
    const key = hit.source + "\u0000" + hit.id + "\u0000" + lang();
    if (!productCache.has(key)) {
      // Its category, claims and warnings in the language shown.
      const query = "?" + (hit.source ? "source=" + encodeURIComponent(hit.source) + "&" : "") + "language=" + lang();
      const pending = api("GET", "/v1/products/" + encodeURIComponent(hit.id) + query);
      pending.catch(() => productCache.delete(key));
      productCache.set(key, pending);
    }
    return productCache.get(key);
  }

  /** The declaration as readable text: sources give it as a Python-like list "['Water, ...', '...']". */
  function declaredText(raw) {
    let text = String(raw || "").trim();
    if (/^\[.*\]$/s.test(text)) {
      text = text.slice(1, -1).split(/['"]\s*,\s*['"]/).map((part) => part.replace(/^\s*['"]|['"]\s*$/g, "").trim())
        .filter(Boolean).join(" ");
    }
    return text;
  }

  /** The category path as the client reads it (the server's labels in the response language). */
  function breadcrumb(hit) {
    const path = Array.isArray(hit.category_labels) && hit.category_labels.length ? hit.category_labels : hit.category;
    return path && path.length ? el("p", { class: "category", text: path.join(" › ") }) : null;
  }

  /** The server's claim labels in the response language; a server without them: the codes named here. */
  function claimsText(hit) {
    const claims = hit.claims || [];
    const labels = Array.isArray(hit.claim_labels) && hit.claim_labels.length === claims.length ? hit.claim_labels : null;
    return (labels || claims.map(claimText)).join(", ");
  }

  function claimText(claim) {
    const text = String(claim);
    if (isStandard(text)) return familyName(text);
    if (!text.startsWith("without:")) return humanize(text);
    const family = text.slice(8);
    return isStandard(family) ? familyName(family) : t("chip_without", { x: familyName(family, "without") });
  }

  function fact(term, value, asWritten) {
    if (value === null || value === undefined || value === "") return null;
    return [el("dt", { text: term }), asWritten ? verbatim("dd", value) : el("dd", { text: value })];
  }

  /** Fetch GET /v1/products/{id} once and show what the card does not already show. */
  async function loadProductDetails(hit, details) {
    if (details.dataset.loaded) return;
    details.dataset.loaded = "1";
    const extra = details.querySelector(".extra");
    extra.textContent = t("loading");
    let product;
    try {
      product = await productOf(hit);
    } catch (err) {
      extra.textContent = t("error", { x: err.message });
      delete details.dataset.loaded;
      return;
    }
    clear(extra);
    const p = product && typeof product === "object" ? product : {};
    const list = (value) => (Array.isArray(value) ? value.filter((v) => typeof v !== "object").join(", ") : "");
    const families = Array.isArray(p.families) ? p.families.map(String) : [];
    const unknown = Array.isArray(p.unknown_ingredients) ? p.unknown_ingredients.length : 0;
    const dl = el("dl", { class: "facts" },
      fact(t("highlights"), list(p.highlights), true),  // the retailer's own words
      fact(t("families"), families.filter((f) => !isStandard(f)).map((f) => familyName(f)).join(", ")),
      fact(t("unknown_ingredients"), unknown ? tn("unidentified_n", unknown) : ""),
      fact(t("ingredients_raw"), typeof p.ingredients_raw === "string" ? declaredText(p.ingredients_raw) : "", true));
    // Only http(s) links: a javascript: or data: URL from the data is never made clickable.
    if (typeof p.url === "string" && /^https?:\/\//i.test(p.url)) {
      dl.append(el("dt", { text: t("link") }),
        el("dd", { class: "verbatim", translate: "no" }, el("a", { href: p.url, rel: "noopener noreferrer", target: "_blank", text: p.url })));
    }
    if (dl.children.length) extra.append(dl);
  }

  window.ConseilCards = Object.freeze({ productCard, loadProductDetails });
})();
