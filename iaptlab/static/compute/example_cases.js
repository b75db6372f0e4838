// Lesson 00's explorer in the page: iaptlab.explorers.example_cases.compute, in JavaScript, for the
// 12 fictional referrals. `prepared` is iaptlab.explorers.example_cases.browser_data(): each
// referral's columns as shown and, from Python's own iaptlab.outcomes.classify, its flags at every
// slider position ("finished" per number of contacts, caseness at start and end per PHQ-9 cut-off);
// the page combines them as classify does: recovered = finished & paired & at caseness at start &
// not at caseness at the end.

const yesNo = (flag) => (flag ? "yes" : "no");
const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;

function compute(prepared, values) {
  const v = { ...prepared.defaults, ...values };
  const caseness = String(Number(v.phq9_caseness)), contacts = String(Number(v.min_treatment_contacts));
  const atCaseness = prepared.caseness[caseness], finishedAt = prepared.finished[contacts];
  if (!atCaseness || !finishedAt) throw new Error(`no rules prepared for caseness ${caseness}, contacts ${contacts}`);
  const cases = prepared.cases;
  const rows = cases.map((c, i) => {
    const finished = finishedAt[i], first = atCaseness.first[i], last = atCaseness.last[i];
    const inDenominator = finished && c.paired && first;
    return { c, finished, first, inDenominator, recovered: inDenominator && !last };
  });
  const table = {
    columns: prepared.columns,
    rows: rows.map(({ c, finished, first, inDenominator, recovered }) => [c.referral, String(c.contacts), c.phq9,
      c.anxiety_measure, c.anxiety, yesNo(finished), yesNo(c.paired), yesNo(first), yesNo(inDenominator),
      yesNo(recovered)]),
  };
  // iaptlab.example_cases.stage_counts
  const referred = rows.length;
  const finishedCount = rows.filter((r) => r.finished).length;
  const pairedCount = rows.filter((r) => r.finished && r.c.paired).length;
  const denominator = rows.filter((r) => r.inDenominator).length;
  const recoveredIds = rows.filter((r) => r.recovered).map((r) => r.c.referral);
  const counts = [referred, finishedCount, pairedCount, denominator, recoveredIds.length];
  // iaptlab.charts.lessons.stages_chart
  const labels = counts.slice(0, -1).map((n) => `${n} of ${referred}`);
  labels.push(denominator ? `${recoveredIds.length} of the ${denominator} in the denominator = `
    + `${fixed((recoveredIds.length / denominator) * 100, 0)}%` : `${recoveredIds.length} (no denominator: no rate)`);
  const chartRows = prepared.stages.map((stage, i) => ({ stage, count: counts[i], label: labels[i] }));
  const title = `Who counts as recovered among the ${referred} example referrals`;
  const description = `${title}. ` + prepared.stages.map((stage, i) => `${stage}: ${labels[i]}`).join("; ");
  // iaptlab.explorers.example_cases._sentence
  const rules = `With PHQ-9 caseness at ${caseness} or more and a finished course meaning at least `
    + plural(Number(contacts), "treatment contact", "treatment contacts");
  let sentence;
  if (denominator === 0) {
    sentence = `${rules}, none of the ${referred} referrals is in the recovery denominator: no rate.`;
  } else {
    const who = recoveredIds.length ? `: ${recoveredIds.join(", ")}` : "";
    sentence = `${rules}, ${denominator} of the ${referred} referrals `
      + `${denominator === 1 ? "is" : "are"} in the recovery denominator and `
      + `${recoveredIds.length} of them ${recoveredIds.length === 1 ? "counts" : "count"} as recovered `
      + `(${fixed(100 * recoveredIds.length / denominator, 0)}%)${who}.`;
  }
  return {
    structure: "main",
    rows: chartRows,
    title: { text: title, subtitle: `Fictional example file. Rules: PHQ-9 caseness ≥ ${caseness}; `
      + `finished = ${contacts}+ treatment contacts` },
    description,
    table,
    tableHtml: tableHtml(table.columns, table.rows),
    sentence,
    sentenceHtml: sentenceHtml(sentence),
  };
}
