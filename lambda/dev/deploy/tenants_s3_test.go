package deploy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/tenantsync"
)

// noValue stands for AWS::NoValue: the key is left out.
const noValue = "<AWS::NoValue>"

// shortForm reads a one-line value written with short-form intrinsics
// (!Ref X, !Sub "…", !If [a, b, c], !Not [...], !Equals [...]) as the
// JSON form that eval and ruleValue read. Anything else is an error.
func shortForm(text string) (any, error) {
	p := &flowParser{s: strings.TrimSpace(text)}
	v, err := p.value()
	if err == nil && strings.TrimSpace(p.s[p.i:]) != "" {
		err = fmt.Errorf("trailing %q", p.s[p.i:])
	}
	return v, err
}

type flowParser struct {
	s string
	i int
}

func (p *flowParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *flowParser) value() (any, error) {
	p.skip()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("a value is missing")
	}
	switch p.s[p.i] {
	case '!':
		end := strings.IndexByte(p.s[p.i:], ' ')
		if end < 0 {
			return nil, fmt.Errorf("a tag without a value")
		}
		tag := p.s[p.i+1 : p.i+end]
		p.i += end
		arg, err := p.value()
		switch {
		case err != nil:
			return nil, err
		case tag == "Ref" || tag == "Condition":
			return map[string]any{tag: arg}, nil
		case slices.Contains([]string{"Sub", "If", "Not", "Equals", "Join"}, tag):
			return map[string]any{"Fn::" + tag: arg}, nil
		}
		return nil, fmt.Errorf("!%s is not read by this test", tag)
	case '[':
		p.i++
		var list []any
		for {
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return list, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
			}
		}
	case '"':
		end := strings.IndexByte(p.s[p.i+1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("an unterminated string")
		}
		var s string
		err := json.Unmarshal([]byte(p.s[p.i:p.i+end+2]), &s)
		p.i += end + 2
		return s, err
	}
	end := strings.IndexAny(p.s[p.i:], ",]")
	if end < 0 {
		end = len(p.s) - p.i
	}
	v := strings.TrimSpace(p.s[p.i : p.i+end])
	p.i += end
	return v, nil
}

// TenantsBucket (optional) gives the four functions that render a tenant
// COGMAIL_TENANTS_S3=s3://<bucket>/<prefix> and s3:GetObject on the
// objects under that prefix only; without it, neither. The intrinsics are
// evaluated as CloudFormation would, for each case.
func TestTemplateTenantsFromS3(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()
	params := block(all, "Parameters", 0)

	t.Run("case=parameters", func(t *testing.T) {
		assertLine(t, block(params, "TenantsBucket", 2), `Default: ""`, "optional")
		assertLine(t, block(params, "TenantsPrefix", 2), `Default: tenants/`, "the prefix the docs use")
		bucket, prefix := allowedPattern(t, block(params, "TenantsBucket", 2)), allowedPattern(t, block(params, "TenantsPrefix", 2))
		for _, ok := range []string{"", "acme-tenants", "tenants.acme.example"} {
			assert.Regexp(t, bucket, ok)
		}
		for _, bad := range []string{"Acme_Tenants", "a", "-acme"} {
			assert.NotRegexp(t, bucket, bad)
		}
		for _, ok := range []string{"", "tenants/", "prod/tenants/"} {
			assert.Regexp(t, prefix, ok)
		}
		for _, bad := range []string{"tenants", "/tenants/", "tenants/*/"} {
			assert.NotRegexp(t, prefix, bad, "the functions' URL and the grant's prefix must agree")
		}
	})

	condition, err := shortForm(strings.TrimPrefix(lineOf(block(all, "Conditions", 0), "HasTenantsBucket:"), "HasTenantsBucket:"))
	require.NoError(t, err)
	blocks := resourceBlocks(t, all)
	functions := []string{"CogmailFunction", "PageFunction", "NotifierFunction", "SenderFunction"}
	for _, tc := range []struct {
		bucket, prefix string
		want           string // COGMAIL_TENANTS_S3, noValue: unset
	}{
		{"", "tenants/", noValue},
		{"acme-tenants", "tenants/", "s3://acme-tenants/tenants/"},
		{"acme-tenants", "", "s3://acme-tenants/"},
	} {
		t.Run(fmt.Sprintf("case=bucket %q prefix %q", tc.bucket, tc.prefix), func(t *testing.T) {
			p := map[string]any{"TenantsBucket": tc.bucket, "TenantsPrefix": tc.prefix, "AWS::NoValue": noValue, "AWS::Partition": "aws"}
			has, err := ruleValue(p, condition)
			require.NoError(t, err)
			s := stack{params: p, conditions: map[string]bool{"HasTenantsBucket": has.(bool)}}

			for _, fn := range functions {
				line := lineOf(block(tp.resource(t, fn), "Environment", 6), "COGMAIL_TENANTS_S3:")
				require.NotEmpty(t, line, "%s has no COGMAIL_TENANTS_S3", fn)
				node, err := shortForm(strings.TrimPrefix(line, "COGMAIL_TENANTS_S3:"))
				require.NoError(t, err, line)
				got, err := s.eval(node)
				require.NoError(t, err)
				assert.Equal(t, tc.want, got, fn)
				if tc.want != noValue {
					// What the functions read is what `cogmail tenants push` writes to.
					target, err := tenantsync.ParseURL(got.(string))
					require.NoError(t, err)
					assert.Equal(t, tenantsync.Target{Bucket: tc.bucket, Prefix: tc.prefix}, target)
				}
			}

			// The one S3 grant: GetObject, under the prefix, to the four
			// roles, and only with the bucket.
			var grants []statement
			for _, st := range statements(t, all) {
				if strings.Contains(strings.Join(st.actions, " "), "s3:") {
					grants = append(grants, st)
				}
			}
			require.Len(t, grants, 1)
			g := grants[0]
			assert.Equal(t, []string{"s3:GetObject"}, g.actions, "no ListBucket for the functions: they read the index")
			policy := blocks[g.owner]
			assertLine(t, policy, `Type: AWS::IAM::Policy`, "type")
			assertLine(t, policy, `Condition: HasTenantsBucket`, "absent without the bucket")
			assert.Equal(t, functions, policyRoles(t, policy))
			assert.Contains(t, policy, "- !If [SenderMode, !Ref SenderFunctionRole, !Ref AWS::NoValue]", "the sender's role exists in its mode only")
			resource, err := shortForm(g.resource)
			require.NoError(t, err)
			arn, err := s.eval(resource)
			require.NoError(t, err)
			if has.(bool) {
				assert.Equal(t, "arn:aws:s3:::"+tc.bucket+"/"+tc.prefix+"*", arn)
			}
			for _, fn := range functions {
				assert.True(t, grantsTo(t, all, fn)["s3:GetObject"], fn)
			}
		})
	}

	t.Run("case=the check finds a wider grant", func(t *testing.T) {
		assert.Empty(t, wildcards(t, all))
		for _, wider := range []string{"${TenantsBucket}/*", "${TenantsBucket}*", "*"} {
			mutated := strings.Replace(all, "${TenantsBucket}/${TenantsPrefix}*", wider, 1)
			require.NotEqual(t, all, mutated)
			assert.NotEmpty(t, wildcards(t, mutated), wider)
		}
	})
}
