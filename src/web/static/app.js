// extsvc: a little JavaScript that improves the request form; every page
// works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.request");
  if (!form) return;
  // Show the track the standard prescribes for the chosen 機密性 first.
  function update() {
    var c = form.querySelector("input[name=confidentiality]:checked");
    var reqs = form.querySelector("fieldset.track.requirements");
    var risks = form.querySelector("fieldset.track.risks");
    if (!reqs || !risks) return;
    if (!c) { reqs.hidden = true; risks.hidden = true; return; }
    var threshold = Number(form.dataset.thresholdRank || 2);
    var rank = Number(c.dataset.rank || 0);
    var useReqs = rank >= threshold;
    reqs.hidden = !useReqs;
    risks.hidden = useReqs;
  }
  form.addEventListener("change", update);
  update();
});
