package page

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// The page states, one template each under templates/pages/.
var viewNames = []string{"form", "confirm", "report", "invalid", "sent", "success", "error", "opener", "signin"}

// defaultTenant speaks when no tenant can be read from the request.
const defaultTenant = "default"

// parseViews clones the layout once per state, as the emails do, so each
// state defines its own "content".
func parseViews() (map[string]*template.Template, error) {
	layout, err := template.New("layout").ParseFS(templates.FS, "pages/layout.html.tmpl")
	if err != nil {
		return nil, err
	}
	views := make(map[string]*template.Template, len(viewNames))
	var errs []error
	for _, name := range viewNames {
		set, err := layout.Clone()
		if err == nil {
			_, err = set.ParseFS(templates.FS, "pages/"+name+".html.tmpl")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		views[name] = set
	}
	if _, err := fs.Stat(templates.FS, "pages/page.css"); err != nil {
		errs = append(errs, err)
	}
	return views, errors.Join(errs...)
}

// field is one hidden form field.
type field struct{ Name, Value string }

// view is what page templates see.
type view struct {
	texts render.Texts

	Lang, Dir     string
	Brand         tenant.Brand
	TenantCSS     string
	CSRF          string // the token of the page's form, bound to what the form is for
	Heading, Body string
	Extra         string // a second paragraph: the report page's sign-out
	Error         string // a failed attempt, shown in an alert
	Action        string // the form's path
	Activate      bool
	Confirm       bool
	Hidden        []field
	Attributes    []attributeField // activation: what the pool requires and the invitation did not set
	Email         string           // the local sign-in form, filled in again
	Policy        []string
	MinLength     int
	SignIn        string
	Forgot        string // where to ask the tenant for a new link
	RequestTenant string // the tenant the page speaks for; from a link, unverified: it picks words and a client only
	RequestLocale string
	Script        template.JS
	tag           language.Tag // the language asked for, before fallback
}

// T returns the catalog text of key with {name} arguments as pairs.
func (v *view) T(key string, args ...string) string { return v.texts.T(key, args...) }

// newView prepares a page in t's brand and the language locale names (among
// t's languages; else t's default). A nil t is the default tenant. When not
// even that loads, it answers a plain error itself and reports false.
func (h *Handler) newView(w http.ResponseWriter, r *http.Request, t *tenant.Tenant, locale string) (*view, bool) {
	if t == nil {
		var err error
		if t, err = h.cfg.Tenants.Get(defaultTenant); err != nil {
			h.log(r, slog.LevelError, defaultTenant, "error", slog.String("reason", "default tenant does not load"), slog.String("error", err.Error()))
			http.Error(w, "internal error", http.StatusInternalServerError)
			return nil, false
		}
	}
	tag, _ := t.Negotiate(locale, "")
	texts, err := h.cfg.Renderer.Texts(t, tag)
	if err == nil {
		return &view{
			texts: texts, Lang: texts.Lang(), Dir: texts.Dir(), Brand: t.Brand,
			TenantCSS:     "/assets/tenant/" + t.ID + ".css",
			RequestTenant: t.ID, RequestLocale: tag.String(), tag: tag,
		}, true
	}
	h.log(r, slog.LevelError, t.ID, "error", slog.String("reason", "page cannot be prepared"), slog.String("error", err.Error()))
	http.Error(w, "internal error", http.StatusInternalServerError)
	return nil, false
}

// readableTenant returns the tenant an unverified id names, or nil. Only
// the tenants the page serves (its configuration's) and the default tenant
// are read: with tenants in S3, any other id a visitor types would cost S3
// reads and churn the tenant cache.
func (h *Handler) readableTenant(id string) *tenant.Tenant {
	if _, served := h.cfg.Clients[id]; id == "" || !served && id != tenant.DefaultID {
		return nil
	}
	t, err := h.cfg.Tenants.Get(id)
	if err != nil {
		return nil
	}
	return t
}

// show writes v through the named state's template.
func (h *Handler) show(w http.ResponseWriter, v *view, name string, status int) {
	var buf bytes.Buffer
	if err := h.views[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.cfg.Logger.Error("page template failed", "view", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// policyLines states p in v's language, one requirement a line.
func policyLines(v *view, p PasswordPolicy) []string {
	lines := []string{v.T("page.policy.length", "n", strconv.Itoa(p.MinLength))}
	for _, c := range []struct {
		on  bool
		key string
	}{
		{p.RequireUppercase, "page.policy.upper"}, {p.RequireLowercase, "page.policy.lower"},
		{p.RequireNumbers, "page.policy.number"}, {p.RequireSymbols, "page.policy.symbol"},
	} {
		if c.on {
			lines = append(lines, v.T(c.key))
		}
	}
	return lines
}

func (h *Handler) pageCSS(w http.ResponseWriter, _ *http.Request) {
	css, err := fs.ReadFile(templates.FS, "pages/page.css")
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(css)
}

// colorPattern repeats tenant validation's check: a colour is written into
// CSS, so nothing else may get there even if validation changes.
var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// tenantCSS serves a tenant's colours as custom properties: inline styles
// are forbidden by the CSP.
func (h *Handler) tenantCSS(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".css")
	t := h.readableTenant(id)
	if !ok || t == nil || !colorPattern.MatchString(t.Brand.PrimaryColor) || !colorPattern.MatchString(t.Brand.ButtonTextColor) {
		h.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = fmt.Fprintf(w, ":root { --brand: %s; --on-brand: %s; }\n", t.Brand.PrimaryColor, t.Brand.ButtonTextColor)
}
