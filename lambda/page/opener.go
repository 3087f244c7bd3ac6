package page

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
)

// openerScript is the opener page's only script, allowed by its hash: it
// copies the link's parameters from the fragment into the form, removes the
// fragment from the address bar and history, and posts the form. Changing a
// single byte changes the hash, which ScriptHash recomputes at startup.
const openerScript = `(function () {
  var f = document.getElementById("open");
  var p = new URLSearchParams(location.hash.slice(1));
  ["username", "tenant", "pool", "locale", "exp", "kid", "sig", "code"].forEach(function (n) {
    var v = p.get(n);
    if (v === null) return;
    var i = document.createElement("input");
    i.type = "hidden"; i.name = n; i.value = v;
    f.appendChild(i);
  });
  history.replaceState(null, "", location.pathname + location.search);
  f.submit();
})();`

// ScriptHash is the CSP source of openerScript: 'sha256-…' without quotes.
func ScriptHash() string {
	sum := sha256.Sum256([]byte(openerScript))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// opener serves fragment-mode links, whose parameters the server never sees.
func (h *Handler) opener(w http.ResponseWriter, r *http.Request, f flow) {
	v, ok := h.newView(w, r, nil, "")
	if !ok {
		return
	}
	v.Heading, v.Action, v.Script = v.T("page.opener.heading"), f.path, template.JS(openerScript)
	v.CSRF = h.csrfFor(w, r, openBinding(f.path))
	v.Confirm = f.confirm
	w.Header().Set("Content-Security-Policy", h.scriptCSP)
	h.show(w, v, "opener", http.StatusOK)
}
