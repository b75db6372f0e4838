// iaptlab live chart: one Vega view per explorer. A move that changes only numbers replaces the
// rows of the view's named datasets (a Vega changeset) and its description; the view is never
// re-embedded. A new structure (the `spec` trait) embeds a new view.
// Bundled offline by vl-convert, which provides `vegaEmbed` (no imports here).
async function render({ model, el }) {
  let api = null;
  let embedding = Promise.resolve();

  const applyUpdate = async () => {
    const update = model.get("update");
    if (!api || !update || !update.datasets) return;
    const view = api.view;
    for (const [name, rows] of Object.entries(update.datasets)) {
      view.change(name, view.changeset().remove(() => true).insert(structuredClone(rows)));
    }
    await view.runAsync();
    if (update.description != null) {
      // the chart's accessible name: vega-embed put the first description on its element
      if (typeof view.description === "function") view.description(update.description);
      const labelled = el.querySelector('[role="graphics-document"]');
      if (labelled) labelled.setAttribute("aria-label", update.description);
    }
    el.dataset.iaptlabUpdates = String(Number(el.dataset.iaptlabUpdates || 0) + 1);
  };

  const embed = async () => {
    if (api) { api.finalize(); api = null; }
    const spec = model.get("spec");
    if (!spec || Object.keys(spec).length === 0) { el.replaceChildren(); return; }
    try {
      api = await vegaEmbed(el, structuredClone(spec), structuredClone(model.get("embed_options") || {}));
    } catch (error) {
      el.textContent = "The chart could not be drawn: " + error.message;
      return;
    }
    await applyUpdate();  // a view drawn again (page reload) shows the latest numbers
  };

  model.on("change:spec", () => { embedding = embedding.then(embed); });
  model.on("change:update", () => { embedding = embedding.then(applyUpdate); });
  embedding = embedding.then(embed);
  await embedding;
  return () => { if (api) api.finalize(); };
}

export default { render };
