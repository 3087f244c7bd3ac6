package tenant

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// senderRules are tenant.schema.json's rules for the sender's names, which
// validFromName, validDomain and validConfigurationSet write out by hand.
type senderRules struct {
	fromName, domain, configurationSet *regexp.Regexp
	maxFromName, maxDomain             int
}

func loadSenderRules(t testing.TB) senderRules {
	t.Helper()
	data, err := os.ReadFile("../../templates/tenant.schema.json")
	require.NoError(t, err)
	var schema struct {
		Properties struct {
			Sender struct {
				Properties struct {
					FromName struct {
						Pattern   string
						MaxLength int
					}
					ConfigurationSet struct{ Pattern string }
					Domains          struct {
						Items struct {
							Pattern   string
							MaxLength int
						}
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(data, &schema))
	p := schema.Properties.Sender.Properties
	return senderRules{
		fromName: regexp.MustCompile(p.FromName.Pattern), domain: regexp.MustCompile(p.Domains.Items.Pattern),
		configurationSet: regexp.MustCompile(p.ConfigurationSet.Pattern),
		maxFromName:      p.FromName.MaxLength, maxDomain: p.Domains.Items.MaxLength,
	}
}

func (r senderRules) agree(t *testing.T, s string) {
	t.Helper()
	n := utf8.RuneCountInString(s)
	assert.Equal(t, r.fromName.MatchString(s) && n <= r.maxFromName, validFromName(s), "validFromName(%q)", s)
	assert.Equal(t, r.domain.MatchString(s) && n <= r.maxDomain, validDomain(s), "validDomain(%q)", s)
	assert.Equal(t, r.configurationSet.MatchString(s), validConfigurationSet(s), "validConfigurationSet(%q)", s)
}

var senderSeeds = []string{
	"", " ", "  a ", "Acme", "Acme Rockets GmbH", "Acme \"S\"", "a<b", "a>b", "a\nb", "a\tb", "a\u0085", "a\u007f", "\u00a0",
	"安全チーム", strings.Repeat("é", 64), strings.Repeat("é", 65), "acme.example", "mail.acme.example", "acme", ".acme.example",
	"acme.example.", "acme-.example", "-acme.example", "a-b.example", "a..b", "xn--bcher-kva.example", "ACME.Example",
	strings.Repeat("a", 63) + ".example", strings.Repeat("a", 64) + ".example", strings.Repeat(strings.Repeat("a", 62)+".", 4) + "ab",
	"cogmail-acme", "acme_notices", "acme.notices", strings.Repeat("c", 64), strings.Repeat("c", 65), "\xff",
}

func TestSenderRulesAgree(t *testing.T) {
	r := loadSenderRules(t)
	for _, s := range senderSeeds {
		r.agree(t, s)
	}
}

func FuzzSenderRulesAgree(f *testing.F) {
	for _, s := range senderSeeds {
		f.Add(s)
	}
	r := loadSenderRules(f)
	f.Fuzz(r.agree)
}
