/* iaptlab self-check in the page: the same verdicts and messages as iaptlab.exercises.check().
 *
 * A port of iaptlab/exercises.py (_judge and its helpers). The page carries each question's
 * entry exactly as iaptlab/_answers stores it: salted SHA-256 hashes for choice, set, year,
 * yes/no and item answers, XOR-obfuscated IEEE-754 bytes for numbers. It never carries the
 * plain answer. SHA-256 is computed here in plain JavaScript (synchronously, so it works the
 * same from file://, from any static host and under node for the agreement test).
 *
 * Python values are modelled as: string, boolean, null (None), undefined (Ellipsis), number
 * (an int when integral, else a float), PyFloat (an integral float such as 53.0), Array (list),
 * Set (set) and Map or a plain object (dict). The page only ever passes strings, arrays of option
 * labels (check boxes) and plain objects (one select per item).
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.iaptlabChecker = factory();
  }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ------------------------------------------------------------------ SHA-256 (FIPS 180-4)
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  function sha256(bytes) {
    var n = bytes.length, total = ((n + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(total);
    m.set(bytes);
    m[n] = 0x80;
    var bits = n * 8;
    for (var b = 0; b < 8; b++) {
      m[total - 1 - b] = b < 4 ? (bits >>> (8 * b)) & 0xff : Math.floor(bits / Math.pow(2, 8 * b)) & 0xff;
    }
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var off = 0; off < total; off += 64) {
      for (var i = 0; i < 16; i++) {
        var j = off + 4 * i;
        w[i] = ((m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3]) >>> 0;
      }
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      var a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (hh + S1 + ch + K[i] + w[i]) >>> 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & bb) ^ (a & c) ^ (bb & c);
        var t2 = (S0 + maj) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = bb; bb = a; a = (t1 + t2) >>> 0;
      }
      h[0] = (h[0] + a) >>> 0; h[1] = (h[1] + bb) >>> 0; h[2] = (h[2] + c) >>> 0; h[3] = (h[3] + d) >>> 0;
      h[4] = (h[4] + e) >>> 0; h[5] = (h[5] + f) >>> 0; h[6] = (h[6] + g) >>> 0; h[7] = (h[7] + hh) >>> 0;
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++) {
      out[4 * i] = h[i] >>> 24; out[4 * i + 1] = (h[i] >>> 16) & 0xff;
      out[4 * i + 2] = (h[i] >>> 8) & 0xff; out[4 * i + 3] = h[i] & 0xff;
    }
    return out;
  }

  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  function sha256Hex(text) {
    return hex(sha256(utf8(text)));
  }

  // ------------------------------------------------------------------ Python values

  /** An integral Python float (53.0), told apart from the int 53. */
  function PyFloat(value) {
    this.value = value;
  }

  function isStr(v) { return typeof v === "string"; }
  function isBool(v) { return typeof v === "boolean"; }
  function isNum(v) { return typeof v === "number" || v instanceof PyFloat; }
  function isReal(v) { return isNum(v) || isBool(v); }
  function numValue(v) { return v instanceof PyFloat ? v.value : Number(v); }
  function isInt(v) { return typeof v === "number" && Number.isInteger(v); }
  function isMapping(v) {
    return v instanceof Map || (v !== null && typeof v === "object" && !Array.isArray(v) &&
      !(v instanceof Set) && !(v instanceof PyFloat));
  }
  function isIterable(v) { return Array.isArray(v) || v instanceof Set || isMapping(v); }
  function entriesOf(v) { return v instanceof Map ? Array.from(v.entries()) : Object.entries(v); }
  function itemsOf(v) {
    if (Array.isArray(v)) return v;
    if (v instanceof Set) return Array.from(v);
    return entriesOf(v).map(function (kv) { return kv[0]; });
  }

  function pow10(n) { return Number("1e" + n); }

  function stripZeros(text) {
    if (text.indexOf(".") < 0) return text;
    return text.replace(/0+$/, "").replace(/\.$/, "");
  }

  /** Python's repr(float). */
  function floatRepr(v) {
    if (Number.isNaN(v)) return "nan";
    if (v === Infinity) return "inf";
    if (v === -Infinity) return "-inf";
    if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
    var a = Math.abs(v);
    if (a >= 1e16 || a < 1e-4) {
      var parts = v.toExponential().split("e");
      var digits = parts[1].slice(1);
      return parts[0] + "e" + parts[1][0] + (digits.length < 2 ? "0" + digits : digits);
    }
    var s = String(v);
    return s.indexOf(".") < 0 ? s + ".0" : s;
  }

  /** x.toExponential(digits), rounded as Python rounds: an exact tie (1000.125 to six digits) goes
   * to the even digit (1.00012e+3), where JavaScript goes away from zero (1.00013e+3). */
  function exponentialAsPython(x, digits) {
    var text = x.toExponential(digits);
    var size = Math.abs(x);
    var exact = size.toPrecision(100).replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
    var last = digits + 1;  // significant digits kept
    if (exact.charAt(last) !== "5" || !/^0*$/.test(exact.slice(last + 1)) ||
        Number(exact.charAt(last - 1)) % 2 !== 0) return text;
    var whole = size.toExponential(last).split("e");  // a tie has one digit more, so this is exact
    var kept = whole[0].replace(".", "").slice(0, last);
    return (x < 0 ? "-" : "") + kept.charAt(0) + (last > 1 ? "." + kept.slice(1) : "") + "e" + whole[1];
  }

  /** Python's format(x, "g"). */
  function formatG(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    var rounded = exponentialAsPython(x, 5);
    var parts = rounded.split("e");
    var exp = parseInt(parts[1], 10);
    if (exp < -4 || exp >= 6) {
      var digits = String(Math.abs(exp));
      return stripZeros(parts[0]) + "e" + (exp < 0 ? "-" : "+") + (digits.length < 2 ? "0" + digits : digits);
    }
    return stripZeros(Number(rounded).toFixed(Math.max(0, 5 - exp)));
  }

  var NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

  function strRepr(s) {
    var quote = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'";
    var out = quote;
    for (var ch of s) {
      var code = ch.codePointAt(0);
      if (ch === "\\") out += "\\\\";
      else if (ch === quote) out += "\\" + quote;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
        if (code <= 0xff) out += "\\x" + code.toString(16).padStart(2, "0");
        else if (code <= 0xffff) out += "\\u" + code.toString(16).padStart(4, "0");
        else out += "\\U" + code.toString(16).padStart(8, "0");
      } else out += ch;
    }
    return out + quote;
  }

  /** Python's repr(). */
  function pyRepr(v) {
    return isStr(v) ? strRepr(v) : pyStr(v, true);
  }

  /** Python's str(). */
  function pyStr(v) {
    if (isStr(v)) return v;
    if (v === null) return "None";
    if (v === undefined) return "Ellipsis";
    if (isBool(v)) return v ? "True" : "False";
    if (v instanceof PyFloat) return floatRepr(v.value);
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : floatRepr(v);
    if (Array.isArray(v)) return "[" + v.map(pyRepr).join(", ") + "]";
    if (v instanceof Set) return v.size ? "{" + Array.from(v).map(pyRepr).join(", ") + "}" : "set()";
    if (isMapping(v)) {
      return "{" + entriesOf(v).map(function (kv) { return pyRepr(kv[0]) + ": " + pyRepr(kv[1]); })
        .join(", ") + "}";
    }
    return String(v);
  }

  // Python's str.strip(): Unicode white space (and the four separators Python counts).
  function pyStrip(s) { return s.replace(/^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/gu, ""); }
  function pyRstrip(s) { return s.replace(/[\s\x1c-\x1f]+$/u, ""); }

  // ------------------------------------------------------------------ normalising

  var ALNUM = /^[\p{L}\p{N}]$/u;

  function normaliseChoice(answer) {
    var text = pyStr(answer).toLowerCase().replace(/\u00df/g, "ss");
    var out = "";
    for (var ch of text) if (ALNUM.test(ch)) out += ch;
    return out;
  }

  function rawSetItems(answer) {
    return isStr(answer) ? answer.split(/[,;\s]+/u) : itemsOf(answer);
  }

  function setItems(answer) {
    return rawSetItems(answer).map(normaliseChoice);
  }

  function digest(salt, questionId, normalised) {
    return sha256Hex(salt + "\x1f" + questionId + "\x1f" + normalised);
  }

  function decodeNumber(secret, salt, questionId) {
    var key = sha256(utf8("number\x1f" + salt + "\x1f" + questionId));
    var view = new DataView(new ArrayBuffer(8));
    for (var i = 0; i < 8; i++) view.setUint8(i, parseInt(secret.substr(2 * i, 2), 16) ^ key[i]);
    return view.getFloat64(0, false);
  }

  // ------------------------------------------------------------------ numbers

  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  var GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;
  var MINUS = "\u2212\u2012\u2013\u2014\ufe63\uff0d";
  var YEAR = /^(\d{4})\s*(?:[-/\u2010-\u2015]|to)\s*(\d{2}|\d{4})$/u;
  var YES = ["y", "yes", "true", "t", "1"];
  var NO = ["n", "no", "false", "f", "0"];

  function decimalsOfFloat(value) {
    var text = floatRepr(value);
    if (/[eE]/.test(text)) return null;
    var fraction = text.split(".")[1] || "";
    return fraction.replace(/0+$/, "").length;
  }

  /** {value, decimals, percentSign, poundSign} or a sentence saying why it cannot be read. */
  function readNumber(answer) {
    if (isBool(answer) || !(isStr(answer) || isNum(answer))) {
      if (isIterable(answer)) return "give one number, not a list or a table";
      return "give a number";
    }
    if (isNum(answer)) {
      var v = numValue(answer);
      if (!Number.isFinite(v)) return "give a finite number";
      return {value: v, decimals: isInt(answer) ? 0 : decimalsOfFloat(v), percentSign: false,
        poundSign: false};
    }
    var text = pyStrip(answer).replace(/\u00a0/g, " ").replace(/\u202f/g, " ");
    if (MINUS.indexOf(text.slice(0, 1)) >= 0) text = "-" + text.slice(1);
    var percent = text.endsWith("%") || text.endsWith("pp");
    if (text.endsWith("%")) text = text.slice(0, -1);
    if (text.endsWith("pp")) text = text.slice(0, -2);
    text = pyRstrip(text);
    var pound = text.startsWith("£") || text.startsWith("-£");
    text = text.replace("£", "");
    if (GROUPED.test(text)) {
      text = text.replace(/,/g, "");
    } else if (text.indexOf(",") >= 0) {
      return "write decimals with a point, and commas only between groups of three digits (1,234.5)";
    }
    if (!NUMBER.test(text)) return "give a number";
    var lower = text.toLowerCase(), at = lower.indexOf("e");
    var mantissa = at < 0 ? lower : lower.slice(0, at);
    var decimals = at < 0 ? (mantissa.split(".")[1] || "").length : null;
    var value = Number(text);
    if (!Number.isFinite(value)) return "give a finite number";
    return {value: value, decimals: decimals, percentSign: percent, poundSign: pound};
  }

  function unitProblem(reading, unit) {
    if (reading.percentSign && unit !== "percent" && unit !== "points") {
      return "this question does not ask for a percentage: leave out the % sign";
    }
    if (reading.poundSign && unit !== "pounds") {
      return "this question does not ask for an amount of money: leave out the £ sign";
    }
    return "";
  }

  function precisionWords(unit, decimals, sig) {
    var digits;
    if (sig !== null && sig !== undefined) {
      digits = "to " + sig + " significant figure" + (sig !== 1 ? "s" : "");
    } else if (decimals === 0) {
      digits = unit === "pounds" ? "to the nearest pound" : "to the nearest whole number";
    } else {
      digits = "to " + decimals + " decimal place" + (decimals !== 1 ? "s" : "");
    }
    var prefix = {percent: "as a percentage ", points: "in percentage points ",
      pounds: "in pounds "}[unit] || "";
    if (unit === "plain" && decimals === 0) return "as a whole number";
    return prefix + digits;
  }

  function precisionText(entry) {
    if (entry.kind !== "number") return "";
    return precisionWords(entry.unit || "plain", entry.decimals, entry.sig);
  }

  function halfUnit(value, decimals, sig) {
    if (sig !== null && sig !== undefined) {
      var exponent = value ? Math.floor(Math.log10(Math.abs(value))) : 0;
      return 0.5 * pow10(exponent - sig + 1);
    }
    return 0.5 * pow10(-(decimals || 0));
  }

  function close(x, target, decimals, sig) {
    var slack = 1e-9 * Math.max(1, Math.abs(target));
    return Math.abs(x - target) <= halfUnit(target, decimals, sig) + slack;
  }

  // ------------------------------------------------------------------ options and canonical answers

  function optionLookup(entry) {
    var lookup = new Map();
    var options = entry.options || {};
    Object.keys(options).forEach(function (label) {
      [label].concat(options[label]).forEach(function (name) {
        lookup.set(normaliseChoice(name), normaliseChoice(label));
      });
    });
    return lookup;
  }

  function optionsText(entry) {
    return Object.keys(entry.options || {}).map(function (l) { return '"' + l + '"'; }).join(", ");
  }

  function canonicalYear(answer) {
    var match = YEAR.exec(pyStrip(pyStr(answer)));
    if (!match) return null;
    var first = parseInt(match[1], 10), second = parseInt(match[2], 10);
    if (second >= 1000 ? second !== first + 1 : second !== (first + 1) % 100) return null;
    var next = (first + 1) % 100;
    return first + "-" + (next < 10 ? "0" : "") + next;
  }

  function canonicalYesno(answer) {
    if (isBool(answer)) return answer ? "yes" : "no";
    var norm = normaliseChoice(answer);
    return YES.indexOf(norm) >= 0 ? "yes" : NO.indexOf(norm) >= 0 ? "no" : null;
  }

  var RESPONSE_WORDS = {yes: "y", probablyyes: "py", probablyno: "pn", no: "n", noinformation: "ni"};

  function parseItems(answer) {
    var pairs;
    if (isMapping(answer)) {
      pairs = entriesOf(answer);
    } else if (isStr(answer)) {
      pairs = answer.split(";").filter(function (part) { return pyStrip(part); }).map(function (part) {
        var at = part.indexOf("=");
        return at < 0 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
      });
      if (pairs.some(function (kv) { return !kv[1]; })) return null;
    } else {
      return null;
    }
    var items = new Map();
    pairs.forEach(function (kv) {
      var norm = normaliseChoice(kv[1]);
      items.set(pyStrip(pyStr(kv[0])), Object.prototype.hasOwnProperty.call(RESPONSE_WORDS, norm)
        ? RESPONSE_WORDS[norm] : norm);
    });
    return items;
  }

  function canonicalFor(entry, kind) {
    var lookup = optionLookup(entry);
    if (kind === "choice") {
      return function (answer) {
        var norm = normaliseChoice(answer);
        return lookup.size ? (lookup.has(norm) ? lookup.get(norm) : null) : (norm || null);
      };
    }
    if (kind === "set") {
      return function (answer) {
        if (!(isStr(answer) || isIterable(answer)) || isMapping(answer)) return null;
        var items = setItems(answer);
        if (lookup.size) {
          if (items.some(function (i) { return i && !lookup.has(i); })) return null;
          items = items.filter(Boolean).map(function (i) { return lookup.get(i); });
        }
        var unique = Array.from(new Set(items)).filter(function (i) { return i !== ""; });
        return unique.sort(byCodePoint).join("|");
      };
    }
    return kind === "year" ? canonicalYear : canonicalYesno;
  }

  function byCodePoint(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  // ------------------------------------------------------------------ checking

  function isBlank(answer) {
    if (answer === null || answer === undefined) return true;
    if (typeof answer === "number" && Number.isNaN(answer)) return true;
    if (answer instanceof PyFloat && Number.isNaN(answer.value)) return true;
    if (isStr(answer)) return !pyStrip(answer);
    if (Array.isArray(answer)) return answer.length === 0;
    if (answer instanceof Set || answer instanceof Map) return answer.size === 0;
    if (isMapping(answer)) return Object.keys(answer).length === 0;
    return false;
  }

  function hintOf(entry) {
    var words = precisionText(entry);
    return "hint: " + entry.hint + (words ? " Give it " + words + "." : "");
  }

  function formatGiven(answer) {
    return isStr(answer) ? strRepr(answer) : pyStr(answer);
  }

  function knownWrongNumber(questionId, entry, x) {
    var wrongs = entry.wrong || [];
    for (var i = 0; i < wrongs.length; i++) {
      var value = decodeNumber(wrongs[i].secret, entry.salt, questionId + "\x1fwrong");
      if (close(x, value, entry.decimals, entry.sig)) return wrongs[i].message;
    }
    return "";
  }

  function judgeNumber(questionId, entry, answer) {
    var unit = entry.unit || "plain", decimals = entry.decimals, sig = entry.sig;
    var reading = readNumber(answer);
    if (isStr(reading)) return [false, "could not read " + pyRepr(answer) + ": " + reading, "unreadable"];
    var problem = unitProblem(reading, unit);
    if (problem) return [false, problem, "unreadable"];
    var x = reading.value;
    var targets = [entry.secret].concat(entry.also || []).map(function (s) {
      return decodeNumber(s, entry.salt, questionId);
    });
    var misconception = knownWrongNumber(questionId, entry, x);
    if (misconception) return [false, misconception, "misconception"];
    if (targets.some(function (t) { return close(x, t, decimals, sig); })) return [true, "", "correct"];
    if ((unit === "percent" || unit === "points") && !reading.percentSign && Math.abs(x) <= 1 && x) {
      if ((Math.abs(x) < 1 && targets.every(function (t) { return Math.abs(t) > 1; })) ||
          targets.some(function (t) { return close(100 * x, t, decimals, sig); })) {
        var also = knownWrongNumber(questionId, entry, 100 * x);
        var word = unit === "points" ? "percentage points" : "a percentage";
        var message = formatG(x) + " is a proportion: this question asks for " + word + " (× 100)";
        return [false, also ? message + "; and " + also : message, "proportion"];
      }
    }
    var given = reading.decimals;
    if ((sig === null || sig === undefined) && given !== null && decimals !== null &&
        decimals !== undefined && given < decimals && targets.some(function (t) {
          return Math.abs(x - t) <= 0.5 * pow10(-given) + 1e-9 * Math.max(1, Math.abs(t));
        })) {
      return [false, formatGiven(answer) + " is too coarse: this question asks for the value " +
        precisionWords(unit, decimals, sig) + ", and at fewer digits a right and a " +
        "wrong method can give the same number", "precision"];
    }
    return [false, "", "wrong"];
  }

  function judgeHashed(questionId, entry, answer) {
    var kind = entry.kind;
    if (kind === "choice" && !(isStr(answer) || isReal(answer))) {
      return [false, "give one option as text", "unreadable"];
    }
    var norm = canonicalFor(entry, kind)(answer);
    if (norm === null) {
      if (kind === "year") {
        return [false, "could not read " + pyRepr(answer) + " as a financial year: give it like " +
          '"2013-14" (two consecutive years)', "unreadable"];
      }
      if (kind === "yesno") return [false, 'answer "yes" or "no" ("y" and "n" work too)', "unreadable"];
      var given = formatGiven(answer);
      if (kind === "set" && (isStr(answer) || isIterable(answer)) && !isMapping(answer)) {
        var lookup = optionLookup(entry);
        var unknown = rawSetItems(answer).map(pyStr).filter(function (i) {
          return !lookup.has(normaliseChoice(i));
        });
        given = unknown.map(strRepr).join(", ") || given;
      }
      return [false, given + ": not among the options " + optionsText(entry), "not_an_option"];
    }
    if (entry.hashes.indexOf(digest(entry.salt, questionId, norm)) >= 0) return [true, "", "correct"];
    var wrongHash = digest(entry.salt, questionId + "\x1fwrong", norm);
    var wrongs = entry.wrong || [];
    for (var i = 0; i < wrongs.length; i++) {
      if (wrongs[i].hash === wrongHash) return [false, wrongs[i].message, "misconception"];
    }
    return [false, "", "wrong"];
  }

  function judgeItems(questionId, entry, answer) {
    var items = parseItems(answer);
    var expected = Object.keys(entry.items);
    if (items === null) return [false, 'give a dict such as {"4.1": "N", ...}', "unreadable"];
    var missing = expected.filter(function (i) { return !items.has(i); });
    var extra = Array.from(items.keys()).filter(function (i) { return expected.indexOf(i) < 0; });
    if (missing.length || extra.length) {
      var parts = (missing.length ? ["answer every item (missing " + missing.join(", ") + ")"] : [])
        .concat(extra.length ? ["there is no item " + extra.join(", ")] : []);
      return [false, parts.join("; "), "unreadable"];
    }
    var lookup = optionLookup(entry);
    var bad = expected.filter(function (i) { return !lookup.has(items.get(i)); });
    if (bad.length) {
      return [false, "item " + bad.join(", ") + ": not among the options " + optionsText(entry),
        "not_an_option"];
    }
    var notYet = expected.filter(function (i) {
      return entry.items[i].indexOf(digest(entry.salt, questionId + "/" + i, lookup.get(items.get(i)))) < 0;
    });
    if (!notYet.length) return [true, "", "correct"];
    var notes = [];
    notYet.forEach(function (i) {
      var wrongHash = digest(entry.salt, questionId + "/" + i + "\x1fwrong", lookup.get(items.get(i)));
      (entry.wrong || []).forEach(function (w) {
        if (w.item === i && w.hash === wrongHash) notes.push(i + ": " + w.message);
      });
    });
    var head = (expected.length - notYet.length) + " of " + expected.length +
      " items are defensible; look again at " + notYet.join(", ");
    return [false, [head].concat(notes).join("; "), notes.length ? "misconception" : "wrong"];
  }

  var PYTHON_BLANK = "replace the ... in the answer cell with your answer, run it, then run this " +
    "check again";

  /**
   * Judge `answer` to `questionId` against its stored `entry`: {correct, message, reason, text},
   * as check() does. `blankMessage` words the "not answered yet" message (the page says where to
   * type; Python's says which cell to fill in).
   */
  function check(questionId, entry, answer, blankMessage) {
    var hint = hintOf(entry);
    var result;
    if (isBlank(answer)) {
      result = {correct: false, message: (blankMessage || PYTHON_BLANK) + " (" + hint + ")",
        reason: "unanswered"};
    } else {
      var judged = entry.kind === "number" ? judgeNumber(questionId, entry, answer)
        : entry.kind === "items" ? judgeItems(questionId, entry, answer)
          : judgeHashed(questionId, entry, answer);
      result = judged[0] ? {correct: true, message: "", reason: "correct"}
        : {correct: false, message: judged[1] ? judged[1] + " (" + hint + ")" : hint, reason: judged[2]};
    }
    var head = result.correct ? "✓ Correct"
      : result.reason === "unanswered" ? "○ Not answered yet" : "✗ Not yet";
    result.text = result.message ? head + " — " + result.message : head;
    return result;
  }

  return {check: check, PyFloat: PyFloat, precisionText: precisionText, sha256Hex: sha256Hex,
    normaliseChoice: normaliseChoice, formatG: formatG, exponentialAsPython: exponentialAsPython, floatRepr: floatRepr, pyRepr: pyRepr};
}));
