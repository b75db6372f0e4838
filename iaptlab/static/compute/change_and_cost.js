// Lesson 08's explorer in the page: iaptlab.explorers.change_and_cost.compute, in JavaScript: sums
// over the cohort's 18 x 28 table of finishers by first and last PHQ-9 score (which cells each
// definition counts), then cost per person counted (iaptlab.change_and_cost.definition_table,
// iaptlab.costs.cost_per_outcome, iaptlab.charts.lessons.change_chart). `prepared` is
// iaptlab.explorers.change_and_cost.browser_data(); `values` the control values. The chart has no
// title of its own: its two panels' titles come back as `partTitles`.

// iaptlab.change_and_cost.required_end_score: the highest last score that counts, from `first`.
function requiredEndScore(definition, first) {
  if (definition.min_drop_points !== null) return first - definition.min_drop_points;
  if (definition.min_drop_percent !== null) return Math.floor(first * (100 - definition.min_drop_percent) / 100);
  return definition.end_below - 1;
}

// iaptlab.change_and_cost.staffing_model: the annual cost and how to word it.
function staffing(p, staff, costPerStaff, overheadFactor) {
  for (const [name, value, minimum] of [["staff", staff, 0], ["cost_per_staff", costPerStaff, 0],
    ["overhead_factor", overheadFactor, 1]]) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < minimum) {
      throw new Error(`${name} must be a finite number >= ${minimum}, got ${value}`);
    }
  }
  const scott = p.scott;
  const isScott = staff === scott.staff && costPerStaff === scott.cost_per_staff
    && overheadFactor === scott.overhead_factor;
  const words = isScott ? p.scott_words
    : `your assumptions: ${groupedWhole(staff)} staff × £${groupedWhole(costPerStaff)} × `
      + `${general(overheadFactor)} for overheads`;
  return [staff * costPerStaff * overheadFactor, words];
}

// iaptlab.format.money_text
function moneyText(pounds, missing = "undefined (none counted)") {
  return Number.isFinite(pounds) ? "£" + groupedWhole(pounds) : missing;
}

// iaptlab.change_and_cost.definition_table: one entry per definition.
function definitionRows(p, baseline, annual) {
  const row = baseline - p.first_min;
  const atBaseline = p.matrix[row];
  const starters = atBaseline.reduce((a, b) => a + b, 0);
  return p.definitions.map((d) => {
    const end = requiredEndScore(d, baseline);
    let countedAtBaseline = 0, counted = 0;
    p.matrix.forEach((cells, i) => {
      const last = requiredEndScore(d, p.first_min + i) - p.last_min;  // cells 0..last count
      for (let j = 0; j <= Math.min(last, cells.length - 1); j += 1) counted += cells[j];
    });
    for (let j = 0; j <= Math.min(end - p.last_min, atBaseline.length - 1); j += 1) countedAtBaseline += atBaseline[j];
    const share = counted / p.finishers;
    const national = pyRound(share * p.national_finishers / p.national_rounding) * p.national_rounding;
    return {
      definition: d, end, countedAtBaseline, starters, counted, share, national,
      shareAtBaseline: starters ? countedAtBaseline / starters : NaN,
      cost: national > 0 ? annual / national : NaN,
    };
  });
}

function compute(prepared, values) {
  const p = prepared;
  const v = { ...p.defaults, ...values };
  const baseline = Math.trunc(v.baseline_phq9);
  const selected = p.definitions.find((d) => d.key === v.definition);
  if (!selected) throw new Error(`definition must be one of ${p.definitions.map((d) => d.key)}, got ${v.definition}`);
  if (!(baseline >= p.first_min && baseline <= p.first_min + p.matrix.length - 1)) {
    throw new Error(`baseline_phq9 must be ${p.first_min}-${p.first_min + p.matrix.length - 1}, got ${v.baseline_phq9}`);
  }
  if (!(p.finishers > 0)) throw new Error("no cohort finishers: the shares are undefined");
  const [annual, costWords] = staffing(p, v.staff, v.cost_per_staff, v.overhead_factor);
  const rows = definitionRows(p, baseline, annual);
  const row = rows.find((r) => r.definition === selected);
  const year = p.national_year;

  // the sentence
  const atBaseline = row.starters
    ? `${thousands(row.countedAtBaseline)} of the ${thousands(row.starters)} cohort finishers who started there `
      + `(${percentText(row.shareAtBaseline, 0, "–")}) did`
    : "no cohort finisher started there";
  const drop = baseline - row.end;
  const sentence = `Under ${selected.label} (${selected.rule_words}), a client starting at PHQ-9 ${baseline} must end `
    + `at ${row.end} or below, a drop of ${drop} points (${fixed(100 * drop / baseline, 0)}%): ${atBaseline}. Across all `
    + `${thousands(p.finishers)} cohort finishers, ${thousands(row.counted)} `
    + `(${percentText(row.share, 0, "–")}) count; scaled to the ${thousands(p.national_finishers)} `
    + `finishers of ${year} that is about ${thousands(row.national)} people, so `
    + `£${groupedWhole(annual)} a year (${costWords}) comes to ${moneyText(row.cost)} per person counted.`;

  // the table (iaptlab.change_and_cost.shown_definition_table)
  const startersText = thousands(rows[0].starters);
  const columns = ["definition", `start ${baseline}: end at or below`,
    `counted, of ${startersText} who started at ${baseline}`, `% of those who started at ${baseline}`,
    "counted in cohort", "% of cohort finishers", `national-scale count (${year})`, "cost per outcome (£)"];
  const shownShareAtBaseline = floatColumnTexts(rows.map((r) => npRound(100 * r.shareAtBaseline, 1)));
  const shownShare = floatColumnTexts(rows.map((r) => npRound(100 * r.share, 1)));
  const shownCost = floatColumnTexts(rows.map((r) => npRound(r.cost, 0)));
  const tableRows = rows.map((r, i) => [r.definition.label, String(r.end), String(r.countedAtBaseline),
    shownShareAtBaseline[i], String(r.counted), shownShare[i], String(r.national), shownCost[i]]);

  // the chart (iaptlab.charts.lessons.change_chart)
  const mark = (r) => (r === row ? "  (selected)" : "");
  const shown = (r) => (r === row ? "selected" : "other");
  const shareRows = rows.map((r) => `${r.definition.label}: end at ${r.end} or below`);
  const shareLabels = rows.map((r) => `${percentText(r.shareAtBaseline, 0, "–")} `
    + `(${thousands(r.countedAtBaseline)} of ${startersText})${mark(r)}`);
  const costLabels = rows.map((r) => `${moneyText(r.cost)}${mark(r)}`);
  const chartRows = [
    ...rows.map((r, i) => ({ panel: "share", row: shareRows[i], order: i,
      value: Number.isNaN(r.shareAtBaseline) ? 0 : r.shareAtBaseline, label: shareLabels[i], shown: shown(r) })),
    ...rows.map((r, i) => ({ panel: "cost", row: r.definition.label, order: i,
      value: Number.isNaN(r.cost) ? 0 : r.cost, label: costLabels[i], shown: shown(r) })),
  ];
  const description = `Top: of the cohort's finishers who started at PHQ-9 ${baseline}, the share counted as improved: `
    + shareRows.map((r, i) => `${r}: ${shareLabels[i]}`).join("; ")
    + `. Bottom: cost per person counted (${costWords}): `
    + rows.map((r, i) => `${r.definition.label}: ${costLabels[i]}`).join("; ") + ".";
  const partTitles = [
    { text: `Cohort finishers who started at PHQ-9 ${baseline}: who counts as improved?`,
      subtitle: p.share_subtitle, anchor: "start" },
    { text: "Cost per person counted as improved, all cohort finishers",
      subtitle: `${costWords}; counts scaled to the ${year} national finishers`, anchor: "start" },
  ];
  return {
    structure: "main",
    rows: chartRows,
    title: null,
    partTitles,
    description,
    table: { columns, rows: tableRows },
    tableHtml: tableHtml(columns, tableRows),
    sentence,
    sentenceHtml: sentenceHtml(sentence),
  };
}
