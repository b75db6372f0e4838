/* iaptlab offline site: draw the charts, run the self-checks, keep progress in this browser, and
   move the explorers that compute in the page (their script and data are JSON on the page). */
(function () {
  "use strict";
  var STORE = "iaptlab-progress";

  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE) || "{}"); } catch (e) { return {}; }
  }
  function save(progress) {
    try { window.localStorage.setItem(STORE, JSON.stringify(progress)); } catch (e) { /* private mode */ }
  }

  function drawCharts() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll(".vega-chart[data-spec]").forEach(function (box) {
      var spec = JSON.parse(document.getElementById(box.dataset.spec).textContent);
      box.iaptlabEmbed = window.vegaEmbed(box, spec, {actions: false, renderer: "svg"}).then(function (api) {
        box.classList.add("drawn");
        return api;
      });
    });
  }

  /* ---------------------------------------------------------------- explorers in the page */

  // Python's _cell_text (iaptlab.site) for the chart's data table: whole numbers as they are,
  // others as f"{x:.4g}" (",.4g" from 10,000).
  function cellText(value) {
    if (value === null || value === undefined) return "";
    if (typeof value !== "number") return String(value);
    if (Object.is(value, -0)) return "-0";
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    if (Number.isInteger(value)) return String(value);  // JSON cannot tell 20 from 20.0: as Python's int
    var rounded = fourDigitsAsPython(value);
    var exponent = Number(rounded.split("e")[1]);
    if (exponent < -4 || exponent >= 4) {
      var parts = rounded.split("e");
      var digits = parts[0].indexOf(".") >= 0 ? parts[0].replace(/0+$/, "").replace(/\.$/, "") : parts[0];
      var power = Number(parts[1]);
      return digits + "e" + (power < 0 ? "-" : "+") + String(Math.abs(power)).padStart(2, "0");
    }
    return Number(rounded).toString();
  }

  // value.toExponential(3), rounded as Python's "{:.4g}" rounds: an exact tie (100.25 to four
  // digits) goes to the even digit (100.2), where JavaScript goes away from zero (100.3).
  // (checker.js's exponentialAsPython is the same rule for any number of digits.)
  function fourDigitsAsPython(value) {
    var text = value.toExponential(3);
    var size = Math.abs(value);
    var exact = size.toPrecision(100).replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
    if (exact.charAt(4) !== "5" || !/^0*$/.test(exact.slice(5)) || Number(exact.charAt(3)) % 2 !== 0) return text;
    var whole = size.toExponential(4).split("e");  // a tie has five digits, so this is exact
    var kept = whole[0].replace(".", "").slice(0, 4);
    return (value < 0 ? "-" : "") + kept.charAt(0) + "." + kept.slice(1) + "e" + whole[1];
  }

  function dataTable(figure, rows) {
    var table = figure.querySelector("details.chart-data table");
    if (!table || !rows.length) return;
    var columns = [];
    rows.slice(0, 60).forEach(function (row) {
      Object.keys(row).forEach(function (k) { if (columns.indexOf(k) < 0) columns.push(k); });
    });
    var head = table.tHead.rows[0];
    head.replaceChildren.apply(head, columns.map(function (c) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      return th;
    }));
    var body = table.tBodies[0];
    body.replaceChildren.apply(body, rows.slice(0, 60).map(function (row) {
      var tr = document.createElement("tr");
      columns.forEach(function (c) {
        var td = document.createElement("td");
        td.textContent = cellText(row[c]);
        tr.appendChild(td);
      });
      return tr;
    }));
  }

  function setupExplorer(section) {
    var blob = document.getElementById(section.id + "-data");
    var panel = document.getElementById(section.id + "-controls");
    if (!blob || !panel || typeof window.vegaEmbed !== "function") return;
    var state = JSON.parse(blob.textContent);
    var compute;
    try { compute = new Function(state.script)(); } catch (e) { return; }  // the static default stays
    var box = document.getElementById(state.chart);
    var figure = box.closest("figure");
    var caption = figure.querySelector("figcaption");
    var label = caption.querySelector(".label");
    var sentence = section.querySelector(".explorer-sentence .iaptlab-static-default");
    var status = panel.querySelector(".explorer-status");
    var defaults = {};
    state.controls.forEach(function (c) { defaults[c.name] = c.default; });
    var shown = null;  // {structure, title} of the chart drawn by this script; null: the static one
    var chain = Promise.resolve();
    var pending = false;

    function group(name) { return panel.querySelector('[data-control="' + name + '"]'); }

    function read() {
      var values = {};
      state.controls.forEach(function (c) {
        var g = group(c.name);
        if (c.kind === "choice") {
          var picked = g.querySelector("input:checked");
          values[c.name] = picked ? c.options[Number(picked.value)] : c.default;
        } else if (c.kind === "bool") {
          values[c.name] = g.querySelector("input").checked;
        } else {
          var n = Number(g.querySelector('input[type="range"]').value);
          values[c.name] = c.kind === "int" ? Math.round(n) : n;
        }
      });
      return values;
    }

    function write(values) {
      state.controls.forEach(function (c) {
        var g = group(c.name);
        if (c.kind === "choice") {
          var i = c.options.indexOf(values[c.name]);
          g.querySelectorAll("input").forEach(function (r) { r.checked = Number(r.value) === i; });
        } else if (c.kind === "bool") {
          g.querySelector("input").checked = !!values[c.name];
        } else {
          g.querySelectorAll("input").forEach(function (input) { input.value = String(values[c.name]); });
        }
      });
    }

    function isDefault(values) {
      return state.controls.every(function (c) { return values[c.name] === c.default; });
    }

    function drawChart(result) {
      var spec = JSON.parse(JSON.stringify(state.data.specs[result.structure]));
      var name = Object.keys(spec.datasets)[0];
      var title = JSON.stringify([result.title, result.partTitles || null]);
      spec.datasets[name] = result.rows;
      if (result.title != null) spec.title = result.title;
      // a concatenated chart's parts have titles of their own (the page's script gives them)
      var parts = spec.vconcat || spec.hconcat || spec.concat || [];
      (result.partTitles || []).forEach(function (part, i) { if (parts[i] && part != null) parts[i].title = part; });
      spec.description = result.description;
      return (box.iaptlabEmbed || Promise.resolve(null)).then(function (api) {
        if (api && shown && shown.structure === result.structure && shown.title === title) {
          api.view.change(name, api.view.changeset().remove(function () { return true; })
            .insert(JSON.parse(JSON.stringify(result.rows))));
          if (typeof api.view.description === "function") api.view.description(result.description);
          return api.view.runAsync().then(function () { return api; });
        }
        if (api) api.finalize();
        box.iaptlabEmbed = window.vegaEmbed(box, spec, {actions: false, renderer: "svg"});
        shown = {structure: result.structure, title: title};
        return box.iaptlabEmbed;
      }).then(function (api) {
        var labelled = box.querySelector('[role="graphics-document"]');
        if (labelled) labelled.setAttribute("aria-label", result.description);
        return api;
      });
    }

    function answer() {
      pending = false;
      var values = read();
      var result;
      try {
        result = compute(state.data, values);
      } catch (error) {
        status.textContent = "Cannot show these settings: " + error.message;
        return Promise.resolve();
      }
      status.textContent = "";
      var atDefault = isDefault(values);
      return drawChart(result).then(function () {
        caption.replaceChildren(label, document.createTextNode(" " + result.description));
        dataTable(figure, result.rows);
        var table = section.querySelector(".explorer-table table");
        if (table) {
          var holder = document.createElement("div");
          holder.innerHTML = result.tableHtml.replace('<table class="iaptlab-table">',
            '<table class="iaptlab-table"><caption>' + (atDefault ? "Default settings" : "At your settings") + "</caption>");
          table.replaceWith(holder.firstElementChild);
        }
        var strong = document.createElement("strong");
        strong.textContent = atDefault ? "Default:" : "At your settings:";
        sentence.replaceChildren(strong, document.createTextNode(" " + result.sentence));
        section.dataset.answered = JSON.stringify(values);
      }).catch(function (error) {
        status.textContent = "The chart could not be drawn: " + error.message;
      });
    }

    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { chain = chain.then(answer); });
    }

    panel.addEventListener("input", function (event) {
      var input = event.target;
      var g = input.closest("[data-control]");
      if (!g) return;
      if (input.type === "range" || input.type === "number") {
        if (input.value === "" || !input.checkValidity()) return;  // half-typed: wait for a valid number
        g.querySelectorAll("input").forEach(function (other) { if (other !== input) other.value = input.value; });
      }
      schedule();
    });
    panel.addEventListener("change", function (event) {
      var input = event.target;
      if (input.type !== "number") return;
      var range = input.closest("[data-control]").querySelector('input[type="range"]');
      input.value = range.value;  // an out-of-range or half-typed number goes back to what is shown
    });
    panel.querySelector(".explorer-reset").addEventListener("click", function () {
      write(defaults);
      schedule();
    });
    write(defaults);  // a reloaded page may keep moved controls: start from what the page shows
    panel.hidden = false;
    section.classList.add("in-page");
  }

  function setupExplorers() {
    document.querySelectorAll("section.explorer[data-explorer]").forEach(function (section) {
      try { setupExplorer(section); } catch (error) { /* the static default stays */ }
    });
  }

  function answerOf(form) {
    var kind = form.dataset.kind;
    if (kind === "set") {
      return Array.prototype.map.call(form.querySelectorAll('input[name="answer"]:checked'),
        function (box) { return box.value; });
    }
    if (kind === "items") {
      var items = {};
      form.querySelectorAll('select[name="item"]').forEach(function (s) { items[s.dataset.item] = s.value; });
      return Object.keys(items).every(function (k) { return !items[k]; }) ? "" : items;
    }
    return form.elements.answer.value;
  }

  function restore(form, answer) {
    var kind = form.dataset.kind;
    if (kind === "set") {
      form.querySelectorAll('input[name="answer"]').forEach(function (box) {
        box.checked = answer.indexOf(box.value) >= 0;
      });
    } else if (kind === "items") {
      form.querySelectorAll('select[name="item"]').forEach(function (s) { s.value = answer[s.dataset.item] || ""; });
    } else {
      form.elements.answer.value = answer;
    }
  }

  function pageProgress(progress) {
    document.querySelectorAll(".page-progress, .lesson-progress").forEach(function (p) {
      var ids = JSON.parse(p.dataset.questions);
      var done = ids.filter(function (q) { return progress[q] && progress[q].correct; }).length;
      var tried = ids.filter(function (q) { return progress[q]; }).length;
      p.textContent = tried ? "Your progress in this browser: " + done + " of " + ids.length +
        " self-checks answered correctly." : ids.length + " self-check questions; none answered yet in this browser.";
      p.classList.toggle("complete", done === ids.length);
    });
  }

  function setupForms() {
    var blob = document.getElementById("iaptlab-questions");
    var entries = blob ? JSON.parse(blob.textContent) : {};
    var progress = load();
    document.querySelectorAll("form.iaptlab-check").forEach(function (form) {
      var qid = form.dataset.question;
      var status = form.querySelector('[role="status"]');
      function judge(answer, remember) {
        var result = window.iaptlabChecker.check(qid, entries[qid], answer,
          "type your answer above, then press Check");
        status.textContent = result.text;
        status.className = "verdict " + (result.correct ? "correct" : result.reason === "unanswered" ? "blank" : "not-yet");
        if (remember) {
          progress[qid] = {correct: result.correct, answer: answer};
          save(progress);
          pageProgress(progress);
        }
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        judge(answerOf(form), true);
      });
      if (progress[qid] && progress[qid].answer !== undefined && progress[qid].answer !== "") {
        restore(form, progress[qid].answer);
        judge(progress[qid].answer, false);
      }
    });
    pageProgress(progress);
  }

  function start() {
    drawCharts();
    setupExplorers();
    if (window.iaptlabChecker || !document.querySelector("form.iaptlab-check")) setupForms();
    else pageProgress(load());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}());
