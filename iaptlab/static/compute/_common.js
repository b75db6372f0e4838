// iaptlab browser compute: helpers shared by every explorer script in this folder. An explorer's
// script is this file, then <explorer>.js (which defines `compute(prepared, values)`), then
// `return compute;` (iaptlab.charts.live.compute_script): the page, the offline site and node
// (the identical-numbers test) all run that same text as `new Function(script)()`, with no
// imports and no network. These helpers reproduce
// Python's formatting (iaptlab/format.py, f-strings, round(), pandas' to_html) exactly.

// Python's round(x) to a whole number: ties to even, as CPython does on the exact binary value.
function pyRound(x) {
  if (!Number.isFinite(x)) return x;
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return Math.round(x);
}

// Python's f"{x:.{digits}f}": correctly rounded, an exact tie goes to the even digit (JavaScript's
// toFixed takes the larger one), and -0 keeps its sign.
function fixed(x, digits) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const negative = x < 0 || Object.is(x, -0);
  const magnitude = Math.abs(x);
  let text = magnitude.toFixed(digits);
  const exact = magnitude.toFixed(Math.min(100, digits + 70));
  const point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + digits);
  const tie = rest.length > 0 && rest[0] === "5" && /^50*$/.test(rest);
  if (tie && Number(text[text.length - 1]) % 2 === 1) {
    // toFixed went up to an odd digit: step back down one unit in the last place
    const whole = BigInt(text.replace(".", "")) - 1n;
    let body = whole.toString().padStart(digits + 1, "0");
    text = digits > 0 ? body.slice(0, body.length - digits) + "." + body.slice(body.length - digits) : body;
  }
  return (negative ? "-" : "") + text;
}

// Python's f"{x:g}" for the moderate numbers an explorer shows (6 significant digits, no trailing
// zeros, no exponent between 1e-4 and 1e6).
function general(x) {
  if (Number.isNaN(x)) return "nan";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exponent = Math.floor(Math.log10(Math.abs(x)));
  const text = fixed(x, Math.max(0, 5 - exponent));
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

// Python's f"{n:,}" of a whole number: thousands separators.
function thousands(n) {
  const text = String(Math.trunc(n));
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// Python's html.escape (quotes too), for text put into HTML.
function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

// pandas' cell escaping in to_html(escape=True): only &, < and >.
function escapeCell(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// pandas' text for every value of a float column: each value with as few decimals as the column
// needs (at most 6, at least 1), the same number for all; NaN as "NaN". pandas writes a column with
// a value below 1e-6 (not 0) or from 1e16 in scientific notation, which is not reproduced: an error.
function floatColumnTexts(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.some((v) => (v !== 0 && Math.abs(v) < 1e-6) || Math.abs(v) >= 1e16)) {
    throw new Error("floatColumnTexts: pandas would write this column in scientific notation");
  }
  let digits = 1;
  for (const v of finite) {
    const text = fixed(v, 6).replace(/0+$/, "");
    digits = Math.max(digits, text.length - text.indexOf(".") - 1);
  }
  return values.map((v) => (Number.isFinite(v) ? fixed(v, digits) : "NaN"));
}

// iaptlab.widgets.table_html: the same HTML pandas' to_html writes (no index, border 0), with the
// iaptlab-table class and an optional caption. `rows` hold the cell texts, already formatted.
function tableHtml(columns, rows, caption = "") {
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  const head = columns.map((c) => `      <th>${escapeCell(c)}</th>\n`).join("");
  const body = rows.map((row) => "    <tr>\n" + row.map((cell) => `      <td>${escapeCell(cell)}</td>\n`).join("")
    + "    </tr>\n").join("");
  return `<table class="iaptlab-table">${cap}\n  <thead>\n    <tr style="text-align: right;">\n${head}`
    + `    </tr>\n  </thead>\n  <tbody>\n${body}  </tbody>\n</table>`;
}

// The sentence under the chart, as iaptlab.widgets.build shows it.
function sentenceHtml(sentence) {
  return `<p aria-live="polite">${escapeHtml(sentence)}</p>`;
}

// exp(-a^2) with a^2 split exactly (Dekker): a rounded a^2 would cost ~a^2 ulps in the result.
function gaussian(a) {
  const c = 134217729 * a;
  const hi = c - (c - a), lo = a - hi;
  return Math.exp(-hi * hi) * Math.exp(-(2 * hi * lo + lo * lo));
}

// The error function, within a few units in the last place of Python's math.erf (checked under
// node): for |x| < 1.5 the series erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1))
// (positive terms, no cancellation); from 1.5, 1 - erfc(x) with erfc's continued fraction
// erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), 200 terms deep.
function erf(x) {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a === 0) return x;
  if (a >= 1.5) {
    if (a >= 6) return Math.sign(x);  // |1 - erf(6)| < 2.2e-17: 1 as a double
    let f = a;
    for (let n = 200; n >= 1; n -= 1) f = a + (n / 2) / f;
    return Math.sign(x) * (1 - gaussian(a) / Math.sqrt(Math.PI) / f);
  }
  const twoX2 = 2 * a * a;
  let term = a, sum = a;
  for (let n = 1; n < 200; n += 1) {
    term *= twoX2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * gaussian(a) * sum;
}

// statistics.NormalDist(mu, sigma).cdf(x), as Python computes it: 0.5 * (1 + erf((x - mu) / (sigma * sqrt 2))).
function normalCdf(x, mu = 0, sigma = 1) {
  return 0.5 * (1 + erf((x - mu) / (sigma * Math.SQRT2)));
}

// Python's round(x, digits) (digits >= 0): the double nearest the correctly rounded decimal.
function roundTo(x, digits) {
  return Number(fixed(x, digits));
}

// iaptlab.format.percent_text: a proportion as "50.6%"; NaN or null worded `missing`; never "-0.0%".
function percentText(rate, digits = 1, missing = "no one in the denominator") {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return missing;
  let text = fixed(100 * rate, digits);
  if (text.startsWith("-") && Number(text) === 0) text = text.slice(1);
  return text + "%";
}

// iaptlab.format.count_text: a whole number with thousands separators.
function countText(count) {
  if (!Number.isFinite(count) || count !== Math.round(count)) throw new Error(`a count must be a whole number, got ${count}`);
  return thousands(count);
}

// Python's f"{x:,.0f}": no decimals, thousands separators.
function groupedWhole(x) {
  const text = fixed(x, 0);
  const negative = text.startsWith("-");
  const digits = negative ? text.slice(1) : text;
  return (negative ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// numpy's round(x, digits) (pandas' Series.round), which is not Python's round: x scaled by
// 10**digits, rounded to the nearest whole number (ties to even), scaled back.
function npRound(x, digits) {
  const scale = 10 ** digits;
  return pyRound(x * scale) / scale;
}
