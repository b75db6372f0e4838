// Lesson 02's threshold explorer in the page: iaptlab.explorers.thresholds.compute, in JavaScript.
// `prepared` is iaptlab.explorers.thresholds.browser_data(): the cohort reduced to counts of people
// who share every flag Python's iaptlab.outcomes.flag_arrays gives at every slider position (bit
// masks per measure). The page never compares a score with a threshold: it reads each measure's
// bits and joins the two measures with "or", as iaptlab.outcomes.classify does, then counts as
// iaptlab.outcomes.rates does.

// The packed groups (thresholds._packed): base64 of LEB128 varints, key gaps and counts alternating.
function unpackGroups(text) {
  const bytes = typeof atob === "function" ? Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
    : Uint8Array.from(Buffer.from(text, "base64"));
  const numbers = [];
  let value = 0, shift = 0;
  for (const byte of bytes) {
    value += (byte & 0x7f) * 2 ** shift;
    if (byte & 0x80) { shift += 7; } else { numbers.push(value); value = 0; shift = 0; }
  }
  const keys = new Float64Array(numbers.length / 2), people = new Float64Array(numbers.length / 2);
  let key = 0;
  for (let i = 0; i < keys.length; i += 1) {
    key += numbers[2 * i];
    keys[i] = key;
    people[i] = numbers[2 * i + 1];
  }
  return { keys, people };
}

const thresholdGroups = new WeakMap();

function groupsOf(prepared) {
  let groups = thresholdGroups.get(prepared);
  if (!groups) {
    groups = { paired: unpackGroups(prepared.paired), unpaired: unpackGroups(prepared.unpaired) };
    thresholdGroups.set(prepared, groups);
  }
  return groups;
}

// Each state's flag at one bit, as 0/1 per state.
const bitOf = (masks, bit) => Uint8Array.from(masks, (m) => Math.floor(m / 2 ** bit) % 2);

function thresholdRates(p, v) {
  const min = p.minimum;
  const whole = (name) => {
    const x = Number(v[name]);
    if (!Number.isInteger(x) || !(name in min) || x < min[name] || x > p.maximum[name]) {
      throw new Error(`${name} must be a whole number on its slider, got ${v[name]}`);
    }
    return x;
  };
  const comparison = p.comparisons.indexOf(String(v.reliable_change_comparison));
  if (comparison < 0) throw new Error(`unknown comparison ${v.reliable_change_comparison}`);
  const n = whole("min_treatment_contacts");
  const side = (m) => {
    const cut = whole(`${m}_caseness`) - min[`${m}_caseness`];
    const change = 2 * (whole(`${m}_reliable_change`) - min[`${m}_reliable_change`]) + comparison;
    const s = p[m];
    return { first: bitOf(s.first, cut), last: bitOf(s.last, cut), drop: bitOf(s.drop, change), rise: bitOf(s.rise, change) };
  };
  const phq = side("phq9"), gad = side("gad7");
  const [, gadStates] = p.states;
  const perLevel = p.phq9.first.length * gadStates;
  const { paired, unpaired } = groupsOf(p);
  const from = n * perLevel;  // keys sort by contacts first: finished at n = contacts level >= n
  let pairedCount = 0, atCaseness = 0, recovered = 0, reliableRecovery = 0, improved = 0, deteriorated = 0;
  let knownNotCase = 0;
  for (let i = 0; i < paired.keys.length; i += 1) {
    const key = paired.keys[i];
    if (key < from) continue;
    const c = paired.people[i];
    const a = key % gadStates, q = Math.floor(key / gadStates) % p.phq9.first.length;
    const first = phq.first[q] | gad.first[a], last = phq.last[q] | gad.last[a];
    const drop = phq.drop[q] | gad.drop[a], rise = phq.rise[q] | gad.rise[a];
    pairedCount += c;
    if (drop && !rise) improved += c;
    if (rise && !drop) deteriorated += c;
    if (first) {
      atCaseness += c;
      if (!last) {
        recovered += c;
        if (drop && !rise) reliableRecovery += c;
      }
    } else {
      knownNotCase += c;
    }
  }
  for (let i = 0; i < unpaired.keys.length; i += 1) {
    const key = unpaired.keys[i];
    if (key < from) continue;
    const a = key % gadStates, q = Math.floor(key / gadStates) % p.phq9.first.length;
    if (!(phq.first[q] | gad.first[a])) knownNotCase += unpaired.people[i];
  }
  const sumFrom = (counts) => counts.slice(n).reduce((x, y) => x + y, 0);
  const finished = sumFrom(p.finished);
  const words = (kind) => p.denominator_descriptions[kind].replaceAll("{n}", String(n));
  const denominator = String(v.denominator);
  let recovery;
  if (denominator === "at_caseness") recovery = [atCaseness, words("at_caseness")];
  else if (denominator === "finished_minus_not_at_caseness") {
    recovery = [finished - knownNotCase, words("finished_minus_not_at_caseness")];
  } else throw new Error(`unknown denominator ${denominator}`);
  const rows = [["recovered", recovered, ...recovery], ["reliable_recovery", reliableRecovery, ...recovery],
    ["reliable_improvement", improved, pairedCount, words("paired")],
    ["reliable_deterioration", deteriorated, pairedCount, words("paired")]];
  if (p.diagnosis) rows.push(["diagnosis_lost", sumFrom(p.lost), sumFrom(p.interviewed), words("interviewed")]);
  return rows.map(([outcome, numerator, den, description]) => ({
    outcome, numerator, denominator: den, rate: den ? numerator / den : NaN, description }));
}

function compute(prepared, values) {
  const p = prepared;
  const v = { ...p.defaults, ...values };
  const rates = thresholdRates(p, v);
  const by = Object.fromEntries(rates.map((r) => [r.outcome, r]));
  const shown = rates.map((r) => ({ ...r, label: p.labels[r.outcome] }));
  const table = {
    columns: ["outcome", "numerator", "denominator", "rate", "denominator_description"],
    rows: [],
  };
  const rateTexts = floatColumnTexts(shown.map((r) => r.rate));
  table.rows = shown.map((r, i) => [r.label, String(r.numerator), String(r.denominator), rateTexts[i], r.description]);
  // iaptlab.charts.rates.rates_bar
  const chartRows = shown.map((r) => ({
    outcome: r.label, numerator: r.numerator, denominator: r.denominator,
    rate: Number.isNaN(r.rate) ? null : r.rate, denominator_description: r.description,
  }));
  const summary = shown.map((r) => `${r.label}: ${r.numerator}/${r.denominator} = ${percentText(r.rate)}`).join("; ");
  const recovery = by.recovered, improved = by.reliable_improvement;
  let sentence = `With these rules, ${thousands(recovery.numerator)} of ${thousands(recovery.denominator)} people in the `
    + `recovery denominator count as recovered (${percentText(recovery.rate)}), and `
    + `${thousands(improved.numerator)} of ${thousands(improved.denominator)} finishers with paired scores `
    + `as reliably improved (${percentText(improved.rate)}).`;
  if (by.diagnosis_lost) {
    const lost = by.diagnosis_lost;
    sentence += ` On the blind interview (which no questionnaire rule changes), ${thousands(lost.numerator)} `
      + `of ${thousands(lost.denominator)} who met criteria at the start no longer do `
      + `(${percentText(lost.rate)}).`;
  }
  return {
    structure: "main",
    rows: chartRows,
    title: p.title,
    description: `${p.title.text}. ${summary}`,
    table,
    tableHtml: tableHtml(table.columns, table.rows),
    sentence,
    sentenceHtml: sentenceHtml(sentence),
  };
}
