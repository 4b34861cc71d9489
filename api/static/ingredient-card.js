/* Conseil web page: the ingredient card, opened by tapping an ingredient in a product's list.
 *
 * It shows what GET /v1/ingredients/{name} says (INCIDecoder-style): what the ingredient does, its
 * families, its EU restrictions, in the page's language for the page's own words. It reads the
 * route's shape {name, functions, families, restrictions} and, until the route gives those fields,
 * the current one's {canonical, families, regulatory}. Everything goes in with textContent (app.js's el()).
 */
(function () {
  "use strict";

  let lastTrigger = null;

  function page() {
    return window.ConseilPage;
  }

  function list(value) {
    return Array.isArray(value) ? value.filter((v) => typeof v === "string" && v.trim()) : [];
  }

  function section(titleKey, items, render) {
    const { el, t } = page();
    return el("section", { class: "ingredient-section" },
      el("h3", { text: t(titleKey) }),
      items.length ? el("ul", {}, items.map((item) => el("li", { text: render ? render(item) : item })))
        : el("p", { class: "muted", text: t("ingredient_none") }));
  }

  // The route gives {id, name} per function (name in the requested language); plain strings still read.
  function functionNames(value) {
    if (!Array.isArray(value)) return [];
    return list(value.map((f) => (f && typeof f === "object" ? f.name || f.id : f)));
  }

  function render(body, name, info) {
    const { el, t, clear, append, familyName, isStandard } = page();
    clear(body);
    if (!info) {
      body.append(el("p", { class: "muted", text: t("ingredient_unidentified", { x: name }) }));
      return;
    }
    const families = list(info.families);
    const title = info.name || info.canonical || name;
    $("ingredient-card-title").textContent = title;
    append(body, [
      title.toLowerCase() !== String(name).toLowerCase() ? el("p", { class: "muted", text: t("ingredient_written_as", { x: name }) }) : null,
      section("ingredient_functions", functionNames(info.functions)),
      section("ingredient_families_title", families.filter((f) => !isStandard(f)), (f) => familyName(f)),
      families.some(isStandard)
        ? section("retailer_standards", families.filter(isStandard), (f) => t("not_allowed_standard", { x: familyName(f) })) : null,
      section("ingredient_restrictions", list(info.restrictions).length ? list(info.restrictions) : list(info.regulatory))]);
  }

  function $(id) {
    return document.getElementById(id);
  }

  async function open(name, trigger) {
    const { t, api } = page();
    const dialog = $("ingredient-card");
    const body = $("ingredient-card-body");
    lastTrigger = trigger || null;
    $("ingredient-card-title").textContent = name;
    body.textContent = t("loading");
    if (!dialog.open) dialog.showModal();
    let info = null;
    const path = "/v1/ingredients/" + encodeURIComponent(name);
    try {
      info = await api("GET", path + "?language=" + encodeURIComponent(page().lang()));
    } catch (err) {
      // A language the route does not offer yet (422): its English card rather than none.
      if (err.status === 422) info = await api("GET", path).catch((again) => again);
      else if (err.status !== 404) info = err;
    }
    if (info instanceof Error) {
      if (info.status !== 404) {
        body.textContent = t("error", { x: info.message });
        return;
      }
      info = null;
    }
    if (dialog.open) render(body, name, info);
  }

  function init() {
    const dialog = $("ingredient-card");
    $("ingredient-card-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", () => { if (lastTrigger && lastTrigger.isConnected) lastTrigger.focus(); });
  }

  window.ConseilIngredientCard = Object.freeze({ open });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
