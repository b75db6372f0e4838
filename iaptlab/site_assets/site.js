/* iaptlab offline site: draw the charts, run the self-checks, keep progress in this browser. */
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
      window.vegaEmbed(box, spec, {actions: false, renderer: "svg"}).then(function () {
        box.classList.add("drawn");
      });
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
    if (window.iaptlabChecker || !document.querySelector("form.iaptlab-check")) setupForms();
    else pageProgress(load());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}());
