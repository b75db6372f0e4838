// Lesson 01's explorer in the page: iaptlab.explorers.measurement_error.compute, in JavaScript.
// `prepared` is iaptlab.explorers.measurement_error.browser_data(); `values` the control values.

function chanceText(p) {
  const text = fixed(100 * p, 0);
  if (text === "0") return "less than 1%";
  if (text === "100") return "more than 99%";
  return text + "%";
}

function compute(prepared, values) {
  const v = { ...prepared.defaults, ...values };
  const inst = prepared.instruments[v.instrument];
  if (!inst) throw new Error(`instrument must be one of ${Object.keys(prepared.instruments)}, got ${v.instrument}`);
  const z = prepared.z;
  const asked = Number(v.true_score);
  const trueScore = Math.min(Math.max(asked, inst.score_min), inst.score_max);
  const reliability = Number(v.reliability), sd = Number(v.sd);
  if (!(reliability >= 0 && reliability < 1)) throw new Error(`reliability must be in [0, 1), got ${reliability}`);
  if (!(sd > 0 && Number.isFinite(sd))) throw new Error(`sd must be a finite number > 0, got ${sd}`);
  // iaptlab.measurement_error.band_of_observed_scores
  const sem = sd * Math.sqrt(1 - reliability);
  const rawLow = trueScore - z * sem, rawHigh = trueScore + z * sem;
  const low = Math.max(inst.score_min, rawLow), high = Math.min(inst.score_max, rawHigh);
  const clipped = low !== rawLow || high !== rawHigh;
  const reliableChange = z * Math.SQRT2 * sd * Math.sqrt(1 - reliability);
  const reaches = inst.caseness_comparison === ">=" ? inst.caseness - 0.5 : inst.caseness + 0.5;
  const pCaseness = normalCdf((trueScore - reaches) / sem);
  // iaptlab.measurement_error.share_near_cutoff
  let near = 0, scored = 0;
  for (const [score, count] of prepared.score_counts[inst.name]) {
    scored += count;
    if (score - z * sem < inst.caseness && score + z * sem >= inst.caseness) near += count;
  }
  const op = inst.caseness_comparison === ">=" ? "≥" : ">";
  // iaptlab.measurement_error.band_table
  const quantities = ["standard error of measurement (SEM)", "95% band: lowest likely score",
    "95% band: highest likely score", "reliable change threshold (1.96 × √2 × SEM)",
    `IAPT's reliable change threshold for ${inst.name}`,
    `chance of scoring at caseness (${op} ${general(inst.caseness)}) on a given day`,
    "share of simulated first scores within 1.96 SEM of caseness"];
  const numbers = [roundTo(sem, 2), roundTo(low, 1), roundTo(high, 1), roundTo(reliableChange, 1),
    inst.reliable_change, roundTo(pCaseness, 2), scored ? roundTo(near / scored, 2) : NaN];
  const units = ["points", "points", "points", "points", "points", "proportion", "proportion"];
  const texts = floatColumnTexts(numbers);
  const table = { columns: ["quantity", "value", "unit"], rows: quantities.map((q, i) => [q, texts[i], units[i]]) };
  let sentence = `With reliability ${fixed(reliability, 2)} and SD ${general(sd)}, a person whose true ${inst.name} `
    + `score is ${general(trueScore)} could score anywhere from ${fixed(low, 1)} to ${fixed(high, 1)} `
    + `on a given day (95%; SEM ${fixed(sem, 2)} points).`;
  if (asked !== trueScore) {
    sentence += ` (The true score ${general(asked)} is outside ${inst.name}'s range, so ${general(trueScore)} is used.)`;
  }
  if (clipped) {
    sentence += ` The band is cut off at the scale's ends (${general(inst.score_min)} to `
      + `${general(inst.score_max)}): no one can score outside them.`;
  }
  sentence += ` A change smaller than ${fixed(reliableChange, 1)} points could be measurement error `
    + `alone (IAPT uses ${general(inst.reliable_change)}). On a given day this person has a `
    + `${chanceText(pCaseness)} chance of scoring at caseness (${op} ${general(inst.caseness)}).`;
  if (scored) {
    sentence += ` In the simulated cohort, ${fixed(100 * near / scored, 0)}% of first ${inst.name} scores `
      + "lie within 1.96 SEM of the cut-off, where one day's error could put a "
      + "person on either side of it.";
  }
  // iaptlab.charts.measurement.sem_band: the curve on 161 points (numpy.linspace), band, rules, ends
  const start = Math.max(inst.score_min, trueScore - 4 * sem), stop = Math.min(inst.score_max, trueScore + 4 * sem);
  const step = (stop - start) / 160;
  const rows = [];
  const empty = { lo: null, hi: null, label: null, dash: null, side: null, y_px: null };
  for (let i = 0; i < 161; i += 1) {
    const score = i === 160 ? stop : i * step + start;
    const d = (score - trueScore) / sem;
    rows.push({ part: "curve", score, relative: Math.exp(-0.5 * (d * d)), ...empty });
  }
  rows.push({ part: "band", score: null, relative: null, ...empty, lo: low, hi: high });
  const marks = [["rule", trueScore, `true score ${general(trueScore)}`, "true", "left", 4],
    ["rule", inst.caseness, `caseness ${op} ${general(inst.caseness)}`, "caseness", "left", 22],
    ["end", low, fixed(low, 1), null, "right", 40], ["end", high, fixed(high, 1), null, "left", 40]];
  for (const [part, score, label, dash, side, yPx] of marks) {
    rows.push({ part, score, relative: null, lo: null, hi: null, label, dash, side, y_px: yPx });
  }
  const coverage = prepared.coverage_text;
  const name = `Observed ${inst.name} scores for a true score of ${general(trueScore)} (SEM ${fixed(sem, 2)})`;
  const summary = `${coverage} fall between ${fixed(low, 1)} and ${fixed(high, 1)} (± ${general(z)} SEM, clipped to `
    + `${general(inst.score_min)}-${general(inst.score_max)}); caseness ${op} ${general(inst.caseness)}`;
  return {
    structure: inst.name,
    rows,
    title: { text: name, subtitle: `Shaded: ${coverage} band (± ${general(z)} SEM)` },
    description: `${name}: ${summary}`,
    table,
    tableHtml: tableHtml(table.columns, table.rows),
    sentence,
    sentenceHtml: sentenceHtml(sentence),
  };
}
