// Lesson 04's explorer in the page: iaptlab.explorers.predictive_values.compute, in JavaScript.
// `prepared` is iaptlab.explorers.predictive_values.browser_data(); `values` the control values.

function timesIn100(p) {
  if (p === 0 || p === 1) return String(pyRound(100 * p));
  const rounded = pyRound(100 * p);
  return rounded === 100 ? "more than 99" : rounded === 0 ? "fewer than 1" : `about ${rounded}`;
}

function predictive(se, sp, p) {
  const tp = se * p, fp = (1 - sp) * (1 - p), tn = sp * (1 - p), fn = (1 - se) * p;
  const ppv = tp / (tp + fp), npv = tn / (tn + fn);
  return [Number.isFinite(ppv) ? ppv : NaN, Number.isFinite(npv) ? npv : NaN];
}

function compute(prepared, values) {
  const v = { ...prepared.defaults, ...values };
  const prevalence = v.prevalence_pct / 100;
  let se, sp, test, condition, source;
  if (v.study === prepared.own) {
    se = v.own_sensitivity_pct / 100;
    sp = v.own_specificity_pct / 100;
    [test, condition, source] = ["the questionnaire", "the condition", "your own values"];
  } else {
    const row = prepared.studies.find((s) => s.key === v.study);
    if (!row) throw new Error(`study must be one of the published studies, got ${v.study}`);
    [se, sp] = [row.sensitivity, row.specificity];
    test = `a ${row.instrument} score of ${row.cut_off} or more`;
    condition = row.target_condition;
    source = `${row.citation}, ${row.reference_standard}`;
  }
  const [ppv, npv] = predictive(se, sp, prevalence);
  const people = prepared.people;
  const cases = pyRound(people * prevalence);
  const truePositive = pyRound(cases * se);
  const falsePositive = pyRound((people - cases) * (1 - sp));
  const falseNegative = cases - truePositive;
  const sePct = pyRound(100 * se), spPct = pyRound(100 * sp);
  const perPeople = thousands(people);
  const table = {
    columns: ["quantity", "value"],
    rows: [["sensitivity (%)", sePct], ["specificity (%)", spPct], ["prevalence (%)", v.prevalence_pct],
      ["right when it says 'case' (PPV, %)", pyRound(100 * ppv)],
      ["right when it says 'not a case' (NPV, %)", pyRound(100 * npv)],
      [`cases found, per ${perPeople}`, truePositive], [`cases missed, per ${perPeople}`, falseNegative],
      [`false alarms, per ${perPeople}`, falsePositive]].map(([q, n]) => [q, String(n)]),
  };
  const sentence = `If ${v.prevalence_pct} in 100 people tested have ${condition}, ${test} is right `
    + `${timesIn100(ppv)} times in 100 when it says 'case' and ${timesIn100(npv)} times in `
    + `100 when it says 'not a case'. Out of ${perPeople} people it finds `
    + `${truePositive} of the ${cases} cases, misses ${falseNegative} `
    + `and raises ${falsePositive} false alarms `
    + `(sensitivity ${sePct}%, specificity ${spPct}%).`;
  // the chart's rows, as predictive_values_chart melts them: every PPV, every NPV, then the marks
  const curve = prepared.grid.map((p) => predictive(se, sp, p));
  const rows = [];
  for (const [index, metric] of [[0, "ppv"], [1, "npv"]]) {
    prepared.grid.forEach((p, i) => {
      const value = curve[i][index];
      rows.push({ prevalence: p, metric: prepared.pv_names[metric], value: Number.isNaN(value) ? null : value,
        part: "curve", label: null, above: null });
    });
  }
  rows.push({ prevalence, metric: null, value: null, part: "rule", label: `prevalence ${fixed(prevalence * 100, 0)}%`,
    above: null });
  const at = prepared.grid.findIndex((p) => Math.abs(p - prevalence) <= 1e-12);
  if (at < 0) throw new Error(`no curve point at prevalence ${prevalence}`);
  const [ppvAt, npvAt] = curve[at];
  rows.push({ prevalence, metric: null, value: ppvAt, part: "value", label: `PPV ${fixed(ppvAt * 100, 0)}%`,
    above: ppvAt >= npvAt });
  rows.push({ prevalence, metric: null, value: npvAt, part: "value", label: `NPV ${fixed(npvAt * 100, 0)}%`,
    above: npvAt > ppvAt });
  return {
    structure: "main",
    rows,
    title: { text: `Same questionnaire, different prevalence (sensitivity ${sePct}%, specificity ${spPct}%)`,
      subtitle: `Source: ${source}` },
    description: `Predictive values against prevalence for ${test}. ${sentence}`,
    table,
    tableHtml: tableHtml(table.columns, table.rows),
    sentence,
    sentenceHtml: sentenceHtml(sentence),
  };
}
