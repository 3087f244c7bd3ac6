package check

import (
	"errors"
	"time"

	"golang.org/x/text/language"

	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/render"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Notices are checked as the notifier renders them (render, then
// gate.CheckNotice), at a fixed time in a fixed zone, so that the gallery
// and the golden files do not change with the clock.
var (
	// NoticeWhen is the time every checked notice tells of.
	NoticeWhen = time.Date(2026, 5, 4, 9, 5, 0, 0, time.UTC)
	// NoticeZone is the reader's zone: a name as long as most, a day
	// ahead of UTC late in the evening. Tokyo keeps no daylight saving
	// time, so a fixed zone is the real one, without the zone database.
	NoticeZone = time.FixedZone("Asia/Tokyo", 9*60*60)
)

// NoLink is the Variant of a notice checked without its report link: what
// a tenant without links.reportUrl sends.
const NoLink = "nolink"

// Unsent is the outcome of a notice that fails to render or its gate: the
// notifier would send nothing.
const Unsent = "unsent"

// samplePool is the user pool of a sample link for a tenant that names none.
const samplePool = "eu-west-1_Ab12Cd34E"

// noticeRows checks notice k for t in tag: with a sample report link when
// the notice offers one and the tenant has a report page, and without one.
// A tenant that does not send k (notifications.kinds) is checked all the
// same, marked Off: an operator may turn the notice on without a release.
func noticeRows(h *handler.Handler, t *tenant.Tenant, tag language.Tag, k trigger.Kind, filesErr error) []Row {
	var rows []Row
	if k.Reportable() && t.Links.ReportURL != "" {
		rows = append(rows, noticeRow(h, t, tag, k, "", filesErr))
	}
	if k.Reportable() {
		rows = append(rows, noticeRow(h, t, tag, k, NoLink, filesErr))
	} else {
		rows = append(rows, noticeRow(h, t, tag, k, "", filesErr))
	}
	return rows
}

func noticeRow(h *handler.Handler, t *tenant.Tenant, tag language.Tag, k trigger.Kind, variant string, filesErr error) Row {
	row := Row{Tenant: t.ID, TenantName: t.DisplayName, Language: tag.String(), Kind: k, Variant: variant, Off: !t.Sends(k)}
	r := h.Renderer()
	if r == nil {
		row.Outcome, row.Err, row.Cause = Unsent, errors.New("no templates"), "the templates failed to load (above)"
		return row
	}
	m := render.Message{Kind: k, Tenant: t, Locale: tag, Name: sample.Name, When: NoticeWhen, Zone: NoticeZone,
		Expiry: t.ReportExpiry()}
	if k.Reportable() && variant != NoLink {
		m.Link, row.Err = sampleReportLink(t, tag)
	}
	var email render.Email
	if row.Err == nil {
		email, row.Err = r.Render(m)
	}
	if row.Err == nil {
		row.Err = gate.CheckNotice(email.Subject, email.HTML, email.Text)
	}
	row.Message = gate.Message{EmailSubject: email.Subject, EmailMessage: email.HTML}
	row.Text = email.Text
	row.Chars, row.TextChars = gate.Length(email.HTML), gate.Length(email.Text)
	switch {
	case row.Err == nil:
		row.Outcome = "rendered"
		row.Lang = email.Lang
		row.Warning = fallbackWarning(tag, row.Lang)
	case filesErr != nil && errors.Is(row.Err, filesErr):
		row.Outcome, row.Cause = Unsent, "the tenant's files (above)"
	default:
		row.Outcome = Unsent
	}
	return row
}

// sampleReportLink is a report link as the notifier signs it, for the
// sample user, with the public development key: the check is about the
// emails, not the keys.
func sampleReportLink(t *tenant.Tenant, tag language.Tag) (string, error) {
	return link.Sign(link.Params{Base: t.Links.ReportURL, Mode: t.Links.Mode, Purpose: link.PurposeReport, Tenant: t.ID,
		UserPool: samplePoolOf(t), Username: sample.UserName, Locale: tag.String(), Expires: NoticeWhen.Add(t.ReportExpiry())}, keys.Development())
}
