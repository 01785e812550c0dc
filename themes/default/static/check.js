// "Check a statement": is a pasted text, word for word, an official statement of this embassy?
// It normalises the text as statements.json says (NFC, every run of whitespace one space, none at either end),
// hashes it with SHA-256 in the browser (SubtleCrypto) and looks for the digest among the published statements
// (their whole text, or their body alone). Nothing leaves the browser but the request for statements.json.
"use strict";

(function () {
  var form = document.getElementById("check-form");
  if (!form) { return; }
  var result = document.getElementById("check-result");
  var register = null;

  function normalised(text) {
    return text.normalize("NFC").split(/[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/)
      .filter(function (part) { return part.length > 0; }).join(" ");
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (byte) {
      return ("0" + byte.toString(16)).slice(-2);
    }).join("");
  }

  function say(text, link, state) {
    result.textContent = "";
    result.className = "check-result check-" + state;
    var line = document.createElement("p");
    line.textContent = text;
    result.appendChild(line);
    if (link && /^https?:\/\//.test(link.url)) {  // never a javascript: or data: address
      var anchor = document.createElement("a");
      anchor.href = link.url;
      anchor.textContent = link.reference + " · " + link.title;
      anchor.setAttribute("hreflang", link.lang);
      var wrap = document.createElement("p");
      wrap.appendChild(anchor);
      result.appendChild(wrap);
    }
  }

  function load() {
    if (register) { return Promise.resolve(register); }
    return fetch(form.getAttribute("data-register"), {credentials: "omit"}).then(function (answer) {
      if (!answer.ok) { throw new Error("HTTP " + answer.status); }
      return answer.json();
    }).then(function (data) { register = data.statements || []; return register; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = normalised(document.getElementById("check-text").value);
    if (!text) { say(form.getAttribute("data-empty"), null, "empty"); return; }
    var bytes = new TextEncoder().encode(text);
    Promise.all([load(), crypto.subtle.digest("SHA-256", bytes)]).then(function (both) {
      var digest = hex(both[1]);
      var lang = form.getAttribute("data-lang");
      var found = both[0].filter(function (record) {
        return record.sha256 === digest || record.body_sha256 === digest;
      }).sort(function (a, b) { return (a.lang === lang ? 0 : 1) - (b.lang === lang ? 0 : 1); })[0];
      if (!found) { say(form.getAttribute("data-nomatch"), null, "nomatch"); return; }
      var message = form.getAttribute("data-match");
      if (found.withdrawn) { message += " " + form.getAttribute("data-withdrawn"); }
      else if (found.updated !== found.published) { message += " " + form.getAttribute("data-corrected"); }
      say(message, found, found.withdrawn ? "withdrawn" : "match");
    }).catch(function () { say(form.getAttribute("data-error"), null, "error"); });
  });
}());
