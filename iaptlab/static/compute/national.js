// Lesson 06's explorer in the page: iaptlab.explorers.national.compute, in JavaScript: one year's
// published chain of counts (a lookup in the bundled table) and recovered as a share of each stage.
// `prepared` is iaptlab.explorers.national.browser_data(); `values` the control values. A count
// that was not published is null (NaN in Python) and is never estimated.

const isMissing = (x) => x === null || x === undefined || Number.isNaN(x);

function nationalSentence(p, year, stages, denominator, published) {
  const count = Object.fromEntries(stages.map((s) => [s.measure, isMissing(s.count) ? NaN : s.count]));
  const confidence = Object.fromEntries(stages.map((s) => [s.measure, s.confidence]));
  const [rate, rateConfidence] = published;
  const words = p.stage_words, official = p.official;
  const recovered = count.recovered;
  if (Number.isNaN(recovered)) {
    const officialText = !isMissing(rate)
      ? `the published recovery rate was ${fixed(rate, 1)}% of ${words[official]} (${rateConfidence})`
      : "no recovery rate was published";
    const known = [...p.denominators].reverse().filter((m) => !Number.isNaN(count[m]))
      .map((m) => `${countText(count[m])} ${words[m]}` + (confidence[m] !== "C" ? ` (${confidence[m]})` : ""));
    const listed = known.length ? ` Counts published: ${known.join("; ")}.` : "";
    const chosen = denominator === official ? ""
      : ` Recovered as a share of ${words[denominator]} cannot be worked out `
        + "from the published figures, and is not estimated here.";
    return `In ${year}, the number of referrals that recovered was not published in the sources `
      + `read; ${officialText}.${listed}${chosen}`;
  }
  const wanted = [...new Set([official, denominator, "referrals_received"])];
  const shown = wanted.filter((m) => !Number.isNaN(count[m]));
  const missing = wanted.filter((m) => Number.isNaN(count[m]));
  const clauses = shown.map((m) => `${fixed(100 * recovered / count[m], 1)}% of the ${countText(count[m])} ${words[m]}`
    + (m === official ? " (the official denominator)" : ""));
  let text = `In ${year}, ${countText(recovered)} referrals 'recovered'`;
  if (clauses.length) text += ": " + clauses.join("; ");
  text += ".";
  if (!isMissing(rate)) text += ` The published rate was ${fixed(rate, 1)}% (${rateConfidence}).`;
  if (missing.length) {
    text += " Not worked out, because the count was not published in the sources read: recovered "
      + "as a share of " + missing.map((m) => words[m]).join(" or of ") + ".";
  }
  if (shown.length > 1) text += " Stages are different cohorts, so shares other than the official one are approximations.";
  const secondary = ["recovered", ...shown].filter((m) => confidence[m] === "S")
    .map((m) => (m === "recovered" ? p.stages_names.recovered : words[m]));
  if (secondary.length) text += ` From a secondary source only (S): the count of ${secondary.join(" and of ")}.`;
  return text;
}

function compute(prepared, values) {
  const p = prepared;
  const v = { ...p.defaults, ...values };
  const year = String(v.year), denominator = String(v.denominator);
  if (!p.denominators.includes(denominator)) throw new Error(`denominator must be one of ${p.denominators}, got ${denominator}`);
  const entry = p.years[year];
  if (!entry) throw new Error(`year ${year}: no published figures`);
  const stages = entry.stages;
  const counts = stages.map((s) => (isMissing(s.count) ? NaN : s.count));
  const published = entry.published;
  // iaptlab.national.stage_table
  const recovered = counts[counts.length - 1];
  const rows = stages.map((s, i) => {
    const isPublished = !Number.isNaN(counts[i]);
    const share = i === stages.length - 1 ? "–" : percentText(recovered / counts[i], 1, "cannot be worked out");
    return [s.stage + (s.measure === denominator ? " ← chosen denominator" : ""),
      isPublished ? countText(counts[i]) : "not published", share,
      isPublished ? s.confidence : "–", isPublished ? s.source : "–"];
  });
  const [rate, rateConfidence, rateSource] = published;
  rows.push(["recovery rate as published (recovered ÷ finished at caseness)", "–",
    isMissing(rate) ? "not published" : `${fixed(rate, 1)}%`, rateConfidence || "–", rateSource || "–"]);
  const table = { columns: ["stage", "number", "recovered as % of this stage", "confidence", "source"], rows };
  // iaptlab.charts.lessons.funnel_chart
  const measures = stages.map((s) => s.measure);
  const chosen = counts[measures.indexOf(denominator)];
  const labels = stages.map((s, i) => (Number.isNaN(counts[i]) ? "not published"
    : groupedWhole(counts[i]) + (s.confidence !== "C" ? ` (${s.confidence})` : ""))
    + (s.measure === denominator ? " ← chosen denominator" : ""));
  if (!Number.isNaN(recovered)) {
    labels[labels.length - 1] += !Number.isNaN(chosen)
      ? ` = ${fixed(100 * recovered / chosen, 1)}% of the chosen denominator`
      : " (÷ chosen denominator: cannot be worked out)";
  }
  const chartRows = stages.map((s, i) => ({
    stage: s.stage, count: Number.isNaN(counts[i]) ? null : counts[i], label: labels[i],
    label_at: Number.isNaN(counts[i]) ? 0 : counts[i],
    role: s.measure === denominator ? "chosen denominator" : s.measure === "recovered" ? "recovered" : "stage",
  }));
  const title = `${year}: from referral to "recovered"`;
  const described = stages.map((s, i) => `${s.stage}: ${labels[i]}`).join("; ");
  const sentence = nationalSentence(p, year, stages, denominator, published);
  return {
    structure: "main",
    rows: chartRows,
    title: { text: title, subtitle: p.subtitle },
    description: `${title}. ${described}`,
    table,
    tableHtml: tableHtml(table.columns, table.rows),
    sentence,
    sentenceHtml: sentenceHtml(sentence),
  };
}
