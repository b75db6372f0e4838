// iaptlab live chart: one Vega view per explorer. A move that changes only numbers replaces the
// rows of the view's named datasets (a Vega changeset), its description and its title text (two
// signals); the view is never re-embedded. A new structure (the `spec` trait) embeds a new view.
//
// Kernel path: each move is one `update` message (rows, description, title, and the sentence and
// table HTML). The chart is changed first; the sentence and table widgets are written after the
// chart has been painted (`initialize`, per model), and the kernel has set its own copies of them
// without sending them. Each applied update fires `iaptlab-drawn` (when it arrived, when it was
// drawn) for the latency benchmark.
//
// Browser path (the `compute_script` trait is set): the page answers every move itself, with no
// kernel round trip. It watches the explorer's control widgets, runs the explorer's script
// (iaptlab/static/compute) on `compute_data`, and puts the result into the view (a changeset, and
// the title through two signals), the sentence and the table (their widgets' values, which also
// reach the kernel). `browser_ready` tells the kernel not to answer; if the script fails, the page
// draws the kernel's chart again and sets `browser_ready` back to false, so the kernel answers.
// Bundled offline by vl-convert, which provides `vegaEmbed` (no imports here).
const TITLE = "iaptlab_title";
const SUBTITLE = "iaptlab_subtitle";

// The compiled Vega spec with its title and subtitle read from signals, so a new title is a signal
// change, not a new view; so are the titles of a concatenated chart's parts (partTitleSignals).
function titleFromSignals(vg) {
  vg = partTitlesFromSignals(vg);
  if (!vg.title || typeof vg.title !== "object" || vg.title.text === undefined) return vg;
  const signals = [{ name: TITLE, value: vg.title.text }];
  const title = { ...vg.title, text: { signal: TITLE } };
  if (vg.title.subtitle !== undefined) {
    signals.push({ name: SUBTITLE, value: vg.title.subtitle });
    title.subtitle = { signal: SUBTITLE };
  }
  return { ...vg, signals: [...(vg.signals || []), ...signals], title };
}

// The signals that hold part `index`'s title and subtitle (Vega-Lite compiles part i of a
// vconcat, hconcat or concat to the group mark "concat_<i>_group", which carries its title).
function partTitleSignals(index) {
  return [`iaptlab_part_title_${index}`, `iaptlab_part_subtitle_${index}`];
}

function partTitlesFromSignals(vg) {
  const signals = [];
  const marks = (vg.marks || []).map((mark) => {
    const part = /^concat_(\d+)_group$/.exec(mark.name || "");
    const title = mark.title;
    if (mark.type !== "group" || !part || !title || typeof title !== "object" || title.text === undefined) return mark;
    const [textSignal, subtitleSignal] = partTitleSignals(Number(part[1]));
    const titled = { ...title, text: { signal: textSignal } };
    signals.push({ name: textSignal, value: title.text });
    if (title.subtitle !== undefined) {
      signals.push({ name: subtitleSignal, value: title.subtitle });
      titled.subtitle = { signal: subtitleSignal };
    }
    return { ...mark, title: titled };
  });
  return signals.length ? { ...vg, signals: [...(vg.signals || []), ...signals], marks } : vg;
}

// The chart parts of a concatenated Vega-Lite spec (its vconcat, hconcat or concat list), else [].
function concatParts(spec) {
  const key = ["vconcat", "hconcat", "concat"].find((k) => Array.isArray(spec[k]));
  return key ? spec[key] : [];
}

// Which titles a result has (a title, a subtitle, each part's title and subtitle): a view shows
// new titles through its signals only while this stays the same.
function titleShape(result) {
  const has = (title) => (title == null ? 0 : asTitle(title).subtitle !== undefined ? 2 : 1);
  return JSON.stringify([has(result.title), (result.partTitles || []).map(has)]);
}

// A wrapped-label lookup (iaptlab.charts.layout.wrapped_labels) in a compiled axis: its JSON is the
// only part that changes with the labels.
const LABEL_LOOKUP = /^\((\{.*\})\)\[datum\.label\] \|\| datum\.label$/s;

// The compiled Vega spec with each axis's wrapped-label lookup read from a signal of its own, so new
// labels (a cut-off in a label) are a signal change, not a new view. `found` maps each lookup's JSON,
// as embedded, to its signal's name.
function labelsFromSignals(vg, found) {
  const signals = [];
  const visit = (node) => {
    for (const axis of node.axes || []) {
      const text = axis.encode && axis.encode.labels && axis.encode.labels.update && axis.encode.labels.update.text;
      const match = text && typeof text.signal === "string" ? LABEL_LOOKUP.exec(text.signal) : null;
      if (!match) continue;
      let name = found.get(match[1]);
      if (!name) {
        name = `iaptlab_labels_${found.size}`;
        found.set(match[1], name);
        signals.push({ name, value: JSON.parse(match[1]) });
      }
      text.signal = `${name}[datum.label] || datum.label`;
    }
    for (const mark of node.marks || []) visit(mark);
  };
  visit(vg);
  return signals.length ? { ...vg, signals: [...(vg.signals || []), ...signals] } : vg;
}

// The widget model a reference names ("IPY_MODEL_<id>", as a widget-valued trait is serialised).
function modelOf(manager, ref) {
  return manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""));
}

// Run `step` once the chart just changed has been painted (at once in a hidden tab, which paints
// nothing): text written after the chart never delays it.
function afterPaint(step) {
  if (document.visibilityState === "visible") requestAnimationFrame(() => setTimeout(step, 0));
  else step();
}

function asTitle(title) {
  return typeof title === "object" && title !== null && !Array.isArray(title) ? title : { text: title };
}

async function render({ model, el }) {
  let api = null;
  let datasetName = null;
  let embedding = Promise.resolve();
  let browser = null;  // {compute, data, values, texts} once the script has loaded
  let shownStructure = null;  // the browser structure on screen; null: the kernel's spec
  let shownTitleShape = null;  // titleShape() of the result on screen
  let answeredFor = null;
  let labelSignals = new Map();  // wrapped-label lookup JSON as embedded -> its signal (labelsFromSignals)
  // Every change to the view runs in this one queue, in order; a step that fails never stops later ones.
  const queue = (step) => {
    embedding = embedding.then(step).catch((error) => console.warn("iaptlab live chart:", error));
  };

  const options = () => {
    const chosen = structuredClone(model.get("embed_options") || {});
    labelSignals = new Map();
    // both paths change the title, and the kernel path wrapped labels, through signals
    chosen.patch = (vg) => labelsFromSignals(titleFromSignals(vg), labelSignals);
    return chosen;
  };

  const embedSpec = async (spec) => {
    if (api) { api.finalize(); api = null; }
    datasetName = null;
    if (!spec || Object.keys(spec).length === 0) { el.replaceChildren(); return false; }
    try {
      api = await vegaEmbed(el, spec, options());
    } catch (error) {
      el.textContent = "The chart could not be drawn: " + error.message;
      return false;
    }
    const names = Object.keys(spec.datasets || {});
    datasetName = names.length === 1 ? names[0] : null;
    return true;
  };

  const describe = (text) => {
    // the chart's accessible name: vega-embed put the first description on its element
    if (typeof api.view.description === "function") api.view.description(text);
    const labelled = el.querySelector('[role="graphics-document"]');
    if (labelled) labelled.setAttribute("aria-label", text);
  };

  const counted = (path) => {
    el.dataset.iaptlabUpdates = String(Number(el.dataset.iaptlabUpdates || 0) + 1);
    el.dataset.iaptlabPath = path;
  };

  // The kernel's answer to a move: new rows (a changeset per dataset), title (its signals) and
  // description; `received` is when its message arrived (for the latency benchmark's breakdown).
  const applyUpdate = async (received = null) => {
    const update = model.get("update");
    if (!api || !update || !update.datasets || browser) return;
    const view = api.view;
    for (const [name, rows] of Object.entries(update.datasets)) {
      view.change(name, view.changeset().remove(() => true).insert(structuredClone(rows)));
    }
    if (update.title != null) {
      const title = asTitle(update.title);
      view.signal(TITLE, title.text);
      if (title.subtitle) view.signal(SUBTITLE, title.subtitle);
    }
    for (const [embedded, lookup] of update.label_maps || []) {
      const name = labelSignals.get(embedded);
      if (name) view.signal(name, lookup);
      else console.warn("iaptlab live chart: no signal for the labels", embedded);
    }
    await view.runAsync();
    if (update.description != null) describe(update.description);
    counted("kernel");
    if (received !== null) {
      el.dispatchEvent(new CustomEvent("iaptlab-drawn", {
        bubbles: true, detail: { path: "kernel", received, drawn: performance.now() } }));
    }
  };

  const embed = async () => {
    shownStructure = null;
    if (browser) { await answer(true); return; }  // the page's own answer for the controls as they are
    if (!(await embedSpec(structuredClone(model.get("spec"))))) return;
    await applyUpdate();  // a view drawn again (page reload) shows the latest numbers
  };

  const fail = (error) => {
    console.warn("iaptlab: the page cannot compute this explorer; the kernel answers instead:", error);
    browser = null;
    answeredFor = null;
    model.set("browser_ready", false);
    model.save_changes();
    queue(embed);
  };

  // The page's answer for the controls' current values: chart, then sentence and table.
  const answer = async (force = false) => {
    if (!browser) return;  // the page gave up after this move was queued: the kernel answers it
    const key = JSON.stringify(browser.values);
    if (!force && key === answeredFor) return;
    let result;
    try {
      result = browser.compute(browser.data, { ...browser.values });
    } catch (error) {
      fail(error);
      return;
    }
    answeredFor = key;
    const shape = titleShape(result);
    if (force || result.structure !== shownStructure || !api || datasetName === null || shape !== shownTitleShape) {
      const spec = structuredClone(browser.data.specs[result.structure]);
      const name = Object.keys(spec.datasets)[0];
      spec.datasets = { [name]: result.rows };
      if (result.title != null) spec.title = result.title;
      concatParts(spec).forEach((part, i) => {
        if (result.partTitles && result.partTitles[i] != null) part.title = result.partTitles[i];
      });
      spec.description = result.description;
      if (!(await embedSpec(spec))) { fail(new Error("the chart could not be drawn")); return; }
      shownStructure = result.structure;
    } else {
      const view = api.view;
      view.change(datasetName, view.changeset().remove(() => true).insert(result.rows));
      const titles = result.title != null ? [[[TITLE, SUBTITLE], asTitle(result.title)]] : [];
      (result.partTitles || []).forEach((part, i) => { if (part != null) titles.push([partTitleSignals(i), asTitle(part)]); });
      for (const [[textSignal, subtitleSignal], title] of titles) {
        view.signal(textSignal, title.text);
        if (title.subtitle !== undefined) view.signal(subtitleSignal, title.subtitle);
      }
      await view.runAsync();
      describe(result.description);
    }
    shownTitleShape = shape;
    counted("browser");
    // the sentence and table after the chart has been painted (as the kernel path sends the chart first)
    const texts = [[browser.texts[0], result.sentenceHtml], [browser.texts[1], result.tableHtml]];
    const write = () => {
      if (answeredFor !== key) return;  // a later move has answered since
      for (const [widget, html] of texts) {
        if (widget && widget.get("value") !== html) {
          widget.set("value", html);
          widget.save_changes();
        }
      }
    };
    afterPaint(write);
  };

  // Load the script and find the control widgets; any failure leaves the kernel path in charge.
  const connect = async () => {
    const script = model.get("compute_script");
    if (!script) return;
    try {
      const compute = new Function(script)();
      const manager = model.widget_manager;
      const controls = await Promise.all((model.get("controls") || []).map((ref) => modelOf(manager, ref)));
      const texts = await Promise.all((model.get("texts") || []).map((ref) => modelOf(manager, ref)));
      const names = model.get("control_names") || [];
      const choices = model.get("choice_options") || {};
      const read = (name, m) => (name in choices ? choices[name][m.get("index")] : m.get("value"));
      const values = {};
      controls.forEach((m, i) => { if (!(names[i] in values)) values[names[i]] = read(names[i], m); });
      browser = { compute, data: model.get("compute_data"), values, texts };
      // "Reset to defaults" works without the kernel too: put every control back in the page
      // (the kernel, when free, does the same; the values are equal, so nothing happens twice).
      resetInPage = () => {
        if (!browser) return;
        const defaults = browser.data.defaults || {};
        controls.forEach((m, i) => {
          const name = names[i];
          if (!(name in defaults)) return;
          const [key, value] = name in choices ? ["index", choices[name].indexOf(defaults[name])] : ["value", defaults[name]];
          if (value !== -1 && m.get(key) !== value) {
            m.set(key, value);
            m.save_changes();
          }
        });
      };
      controls.forEach((m, i) => {
        const name = names[i];
        const key = name in choices ? "index" : "value";
        m.on(`change:${key}`, () => {
          if (!browser) return;
          const value = read(name, m);
          if (value === undefined || value === null) return;
          browser.values[name] = value;
          // keep the slider and its number box together without the kernel
          controls.forEach((other, j) => {
            if (j !== i && names[j] === name && key === "value" && other.get("value") !== value) {
              other.set("value", value);
              other.save_changes();
            }
          });
          queue(() => answer());
        });
      });
    } catch (error) {
      fail(error);
      return;
    }
    await embed();
    if (browser) {
      model.set("browser_ready", true);
      model.save_changes();
    }
  };

  let resetInPage = null;
  const onClick = (event) => {
    const button = event.target && event.target.closest ? event.target.closest(".iaptlab-reset") : null;
    if (button && resetInPage && button.closest(".iaptlab-explorer") === el.closest(".iaptlab-explorer")) resetInPage();
  };
  document.addEventListener("click", onClick, true);
  model.on("change:spec", () => queue(embed));
  model.on("change:update", () => {
    const received = performance.now();
    queue(() => applyUpdate(received));
  });
  queue(async () => {
    if (model.get("compute_script")) await connect();
    else await embed();
  });
  await embedding;
  return () => {
    document.removeEventListener("click", onClick, true);
    if (api) api.finalize();
  };
}

// Kernel path: the sentence and table come in the chart's update (one message per move; the kernel
// has set its copies without sending them) and are written once the chart has been painted, so
// their layout never delays the chart. Per model, so they are written even with no chart view.
function initialize({ model }) {
  let texts = null;
  const textModels = () => {
    if (texts === null) {
      texts = Promise.all((model.get("texts") || []).map((ref) => modelOf(model.widget_manager, ref)));
    }
    return texts;
  };
  const onTexts = () => { texts = null; };
  const onUpdate = () => {
    const update = model.get("update");
    if (!update || !Array.isArray(update.texts)) return;
    const write = async () => {
      if (model.get("update") !== update) return;  // a later update has come: it writes its own
      const widgets = await textModels();
      widgets.forEach((m, i) => {
        const html = update.texts[i];
        if (m && typeof html === "string" && m.get("value") !== html) m.set("value", html);
      });
    };
    afterPaint(() => write().catch((error) => console.warn("iaptlab live chart:", error)));
  };
  model.on("change:texts", onTexts);
  model.on("change:update", onUpdate);
  return () => {
    model.off("change:texts", onTexts);
    model.off("change:update", onUpdate);
  };
}

export default { initialize, render };
