package deploy

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/mail"
	"github.com/cogmail/cogmail/lambda/notify"
	"github.com/cogmail/cogmail/lambda/once"
	"github.com/cogmail/cogmail/lambda/page"
	"github.com/cogmail/cogmail/lambda/rotation"
	"github.com/cogmail/cogmail/lambda/sender"
)

// statement is one IAM policy statement in template.yaml: the resource that
// holds it, its text (keys at indent 0), its actions and its Resource, and
// whether it is a KMS key's policy (whose "*" is the key itself).
type statement struct {
	owner, text, resource string
	actions               []string
	keyPolicy             bool
}

// statements returns every policy statement of the template: list items
// that start with a Sid, an Effect or an Action, in the functions' Policies,
// the AWS::IAM::Policy resources and the queue policy alike.
func statements(t *testing.T, text string) []statement {
	t.Helper()
	var out []statement
	for name, body := range resourceBlocks(t, text) {
		lines := strings.Split(body, "\n")
		for i, line := range lines {
			trimmed := strings.TrimSpace(line)
			if !strings.HasPrefix(trimmed, "- Sid:") && !strings.HasPrefix(trimmed, "- Effect:") && !strings.HasPrefix(trimmed, "- Action:") {
				continue
			}
			dash := indentOf(line)
			item := []string{strings.Repeat(" ", dash) + "  " + strings.TrimPrefix(trimmed, "- ")}
			for _, next := range lines[i+1:] {
				if strings.TrimSpace(next) != "" && indentOf(next) <= dash {
					break
				}
				item = append(item, next)
			}
			// Keys of the item at indent 0, so that block() reads them.
			for j := range item {
				item[j] = strings.TrimPrefix(item[j], strings.Repeat(" ", min(dash+2, indentOf(item[j]))))
			}
			s := statement{owner: name, text: strings.Join(item, "\n"), keyPolicy: hasLine(body, `Type: AWS::KMS::Key`)}
			s.resource = strings.TrimSpace(strings.TrimPrefix(block(s.text, "Resource", 0), "Resource:"))
			action := strings.TrimSpace(strings.TrimPrefix(block(s.text, "Action", 0), "Action:"))
			// "- " marks a list item; action names hold "-" (cognito-idp).
			for _, a := range strings.FieldsFunc(action, func(r rune) bool { return strings.ContainsRune("[], \n", r) }) {
				if a != "-" {
					s.actions = append(s.actions, a)
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// resourceBlocks maps each resource of the template to its block.
func resourceBlocks(t *testing.T, text string) map[string]string {
	t.Helper()
	resources := block(text, "Resources", 0)
	require.NotEmpty(t, resources)
	blocks := map[string]string{}
	var name string
	for _, line := range strings.Split(resources, "\n")[1:] {
		if indentOf(line) == 2 && strings.HasSuffix(strings.TrimSpace(line), ":") {
			name = strings.TrimSuffix(strings.TrimSpace(line), ":")
		}
		if name != "" {
			blocks[name] += line + "\n"
		}
	}
	return blocks
}

var (
	// An ARN or ARN prefix as written in the template, up to a quote,
	// comma, bracket or space.
	arnText = regexp.MustCompile(`arn:[^\s",\]']*`)
	// A bare "*" as a Resource or a Resource list item.
	bareStar = regexp.MustCompile(`(?m)(^|[\s\[,:-])['"]?\*['"]?\s*($|[\],])`)
	// ${…} in a !Sub string: a value, never a wildcard.
	subVariable = regexp.MustCompile(`\$\{[^}]*\}`)
)

// wildcards returns the statements of text that grant an action on "*" or
// on an ARN whose resource part holds a wildcard. The one pattern allowed
// is the six characters Secrets Manager appends to a secret's name; and in
// a key policy, "*", which is the key (TestTemplateSenderKey checks whom
// it names).
func wildcards(t *testing.T, text string) []string {
	t.Helper()
	var found []string
	for _, s := range statements(t, text) {
		if s.keyPolicy && s.resource == `"*"` {
			continue
		}
		if bareStar.MatchString(s.resource) {
			found = append(found, s.owner+": "+s.resource)
			continue
		}
		for _, arn := range arnText.FindAllString(s.resource, -1) {
			// The objects under the tenants' prefix: a prefix is how S3
			// names a folder (TestTemplateTenantsFromS3).
			arn = strings.TrimSuffix(arn, "/${TenantsPrefix}*")
			parts := strings.SplitN(subVariable.ReplaceAllString(arn, "X"), ":", 6)
			if len(parts) < 6 {
				found = append(found, s.owner+": "+arn+" (not an ARN)")
				continue
			}
			resource := strings.TrimSuffix(parts[5], "-??????")
			if strings.ContainsAny(resource, "*?") {
				found = append(found, s.owner+": "+arn)
			}
		}
	}
	return found
}

// Least privilege: every grant in the template, and the resources each one
// names. A new grant fails here until this list and its reasons change.
func TestTemplateLeastPrivilege(t *testing.T) {
	tp := readTemplate(t)
	all := tp.text()
	stmts := statements(t, all)

	t.Run("case=every grant", func(t *testing.T) {
		var got []string
		for _, s := range stmts {
			assertLine(t, s.text, `Effect: Allow`, s.owner)
			for _, a := range s.actions {
				got = append(got, s.owner+" "+a)
			}
		}
		slices.Sort(got)
		want := []string{
			"CogmailFunction secretsmanager:GetSecretValue",
			"NotifierDeadLetterQueuePolicy sqs:SendMessage",
			"NotifierFunction dynamodb:DeleteItem",
			"NotifierFunction dynamodb:PutItem",
			"NotifierFunction lambda:InvokeFunction",
			"NotifierFunction secretsmanager:GetSecretValue",
			"NotifierSendPolicy ses:SendEmail", "NotifierSendPolicy ses:SendEmail",
			"NotifierSendPolicy ses:SendRawEmail", "NotifierSendPolicy ses:SendRawEmail",
			"NotifierUserLookupPolicy cognito-idp:AdminGetUser", "NotifierUserLookupPolicy cognito-idp:AdminGetUser",
			"PageFunction secretsmanager:GetSecretValue", "PageFunction secretsmanager:GetSecretValue",
			"PageSignOutPolicy cognito-idp:AdminUserGlobalSignOut", "PageSignOutPolicy cognito-idp:AdminUserGlobalSignOut",
			// Secrets Manager's four rotation steps, on the keyring only
			// (TestTemplateSecretGrants).
			"RotationFunction secretsmanager:DescribeSecret",
			"RotationFunction secretsmanager:GetSecretValue",
			"RotationFunction secretsmanager:PutSecretValue",
			"RotationFunction secretsmanager:UpdateSecretVersionStage",
			"SenderDecryptPolicy kms:Decrypt", "SenderDecryptPolicy kms:Decrypt",
			"SenderFunction dynamodb:DeleteItem",
			"SenderFunction dynamodb:PutItem",
			"SenderFunction secretsmanager:GetSecretValue",
			// The key policy's one statement: the account, which delegates
			// to IAM (TestTemplateSenderKey).
			"SenderKey kms:*",
			// Tenants from S3: objects under the prefix, for the four
			// functions, with the bucket only (tenants_s3_test.go).
			"TenantsReadPolicy s3:GetObject",
		}
		assert.Equal(t, want, got)
		assert.NotRegexp(t, `NotAction|NotResource|Effect:\s*Deny`, all, "the checks above assume plain allows")
	})

	t.Run("case=no wildcard resource", func(t *testing.T) {
		assert.Empty(t, wildcards(t, all))
	})

	t.Run("case=the check finds a wildcard", func(t *testing.T) {
		for _, r := range []struct{ from, to string }{
			{"Resource: !GetAtt NotifyTable.Arn", `Resource: "*"`},
			{"Resource: !GetAtt NotifyTable.Arn", "Resource: !Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"},
			{`"arn:*:ses:*:*:identity/${Names}"`, `"arn:*:ses:*:*:identity/*"`},
			{"function:${AWS::StackName}-notifier", "function:*"},
			{"Action: cognito-idp:AdminGetUser\n              Resource: !Split", "Action: cognito-idp:AdminGetUser\n              Resource:\n                - '*'\n              X: !Split"},
			{"Resource: !GetAtt DemoUserPool.Arn", "Resource: !Sub arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*"},
			{"Action: kms:Decrypt\n              Resource: !GetAtt SenderKey.Arn", "Action: kms:Decrypt\n              Resource: \"*\""},
			{"Resource: !GetAtt SenderTable.Arn", "Resource: !Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"},
		} {
			mutated := strings.Replace(all, r.from, r.to, 1)
			require.NotEqual(t, all, mutated, "%q is no longer in the template", r.from)
			assert.NotEmpty(t, wildcards(t, mutated), "%q → %q", r.from, r.to)
		}
	})

	byOwner := func(owner, action string) statement {
		t.Helper()
		for _, s := range stmts {
			if s.owner == owner && slices.Contains(s.actions, action) {
				return s
			}
		}
		require.Failf(t, "no grant", "%s has no %s grant", owner, action)
		return statement{}
	}

	t.Run("case=the notifier's table and itself", func(t *testing.T) {
		assert.Equal(t, "!GetAtt NotifyTable.Arn", byOwner("NotifierFunction", "dynamodb:PutItem").resource)
		// The self-invoke grant names exactly the function's fixed name.
		name := lineOf(tp.resource(t, "NotifierFunction"), "FunctionName:")
		require.Equal(t, "FunctionName: !Sub ${AWS::StackName}-notifier", name)
		assert.Equal(t, "!Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-notifier",
			byOwner("NotifierFunction", "lambda:InvokeFunction").resource)
	})

	t.Run("case=SES on the listed identities and configuration sets", func(t *testing.T) {
		p := tp.resource(t, "NotifierSendPolicy")
		assertLine(t, p, `Type: AWS::IAM::Policy`, "type")
		assertLine(t, p, `Condition: HasSenderIdentities`, "only with identities to send from")
		assert.Equal(t, []string{"NotifierFunction", "SenderFunction"}, policyRoles(t, p), "the notifier's role, and the sender's in its mode")
		assert.Contains(t, p, "- HasSenderConfigurationSets", "the configuration sets' statement only with some")
		identities := []string{"acme-rockets.example", "sicherheit@acme-rockets.example"}
		arns := listARNs(t, byOwner("NotifierSendPolicy", "ses:SendEmail").resource, "SenderIdentities", identities)
		assertExactly(t, arns, "arn:aws:ses:eu-west-1:123456789012:identity/", identities)
		var sets statement
		for _, s := range stmts {
			if s.owner == "NotifierSendPolicy" && strings.Contains(s.resource, "SenderConfigurationSets") {
				sets = s
			}
		}
		require.NotEmpty(t, sets.text, "no statement for the configuration sets")
		assert.ElementsMatch(t, []string{"ses:SendEmail", "ses:SendRawEmail"}, sets.actions)
		names := []string{"cogmail-acme", "cogmail_default"}
		assertExactly(t, listARNs(t, sets.resource, "SenderConfigurationSets", names), "arn:aws:ses:eu-west-1:123456789012:configuration-set/", names)
	})

	// The notifier looks users up, and the page signs reported users out,
	// in the pools each serves: UserPoolIds and the demo pool. One policy
	// each, a resource apart from its function (which cannot name the demo
	// pool: a cycle), with a statement per kind of pool, each only when it
	// has its pools.
	for _, tc := range []struct {
		policy    string
		functions []string
		action    string
	}{
		// The sender looks up the users of takeover notices, which carry
		// no address, in the pools the notifier serves.
		{"NotifierUserLookupPolicy", []string{"NotifierFunction", "SenderFunction"}, "cognito-idp:AdminGetUser"},
		{"PageSignOutPolicy", []string{"PageFunction"}, "cognito-idp:AdminUserGlobalSignOut"},
	} {
		t.Run("case=Cognito on the configured pools: "+tc.policy, func(t *testing.T) {
			pools := []string{"eu-west-1_Ab12Cd34E", "eu-west-1_Zz98Yy76X"}
			p := tp.resource(t, tc.policy)
			assertLine(t, p, `Type: AWS::IAM::Policy`, "type")
			assertLine(t, p, `Condition: HasUserPools`, "only with a pool to act on")
			assert.Equal(t, tc.functions, policyRoles(t, p), "the functions' roles")
			var yours, demo int
			for _, s := range stmts {
				if s.owner != tc.policy {
					continue
				}
				assert.Equal(t, []string{tc.action}, s.actions)
				sid := strings.TrimPrefix(lineOf(s.text, "Sid:"), "Sid: ")
				if s.resource == "!GetAtt DemoUserPool.Arn" {
					demo++
					assert.Contains(t, p, "- CreateDemo\n            - Sid: "+sid, "the demo pool's grant only with the demo pool")
					continue
				}
				yours++
				assert.Contains(t, p, "- HasUserPoolIds\n            - Sid: "+sid, "your pools' grant only with pools")
				assertExactly(t, listARNs(t, s.resource, "UserPoolIds", pools), "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/", pools)
			}
			assert.Equal(t, 1, yours)
			assert.Equal(t, 1, demo)
		})
	}
	conditions := block(all, "Conditions", 0)
	assertLine(t, conditions, `HasUserPools: !Or \[!Condition HasUserPoolIds, !Condition CreateDemo\]`, "HasUserPools")

	// Decrypting Cognito's codes: the sender's role only, the stack's key
	// only, and only codes whose encryption context names one of the
	// pools it serves (your pools, the demo pool), each statement only
	// when it has its pools.
	t.Run("case=the sender decrypts its pools' codes only", func(t *testing.T) {
		p := tp.resource(t, "SenderDecryptPolicy")
		assertLine(t, p, `Type: AWS::IAM::Policy`, "type")
		assertLine(t, p, `Condition: SenderDecrypts`, "in sender mode, with a pool")
		assertLine(t, conditions, `SenderDecrypts: !And \[!Condition SenderMode, !Condition HasUserPools\]`, "SenderDecrypts")
		assert.Equal(t, []string{"SenderFunction"}, policyRoles(t, p), "the sender's role alone")
		pools := map[string]string{}
		for _, s := range stmts {
			if s.owner != "SenderDecryptPolicy" {
				continue
			}
			assert.Equal(t, []string{"kms:Decrypt"}, s.actions)
			assert.Equal(t, "!GetAtt SenderKey.Arn", s.resource, "the stack's key, by ARN")
			cond := block(s.text, "Condition", 0)
			assert.Len(t, strings.Split(cond, "\n"), 3, "one operator, one key:\n%s", cond)
			m := regexp.MustCompile(`(?m)^\s+StringEquals:\n\s+kms:EncryptionContext:userpool-id: (.+)$`).FindStringSubmatch(cond)
			require.NotNil(t, m, "not conditioned on the code's pool:\n%s", s.text)
			sid := strings.TrimPrefix(lineOf(s.text, "Sid:"), "Sid: ")
			guard := regexp.MustCompile(`- (\w+)\n\s+- Sid: ` + regexp.QuoteMeta(sid) + `\n`).FindStringSubmatch(p)
			require.NotNil(t, guard, "%s: no condition", sid)
			pools[guard[1]] = m[1]
		}
		assert.Equal(t, map[string]string{"HasUserPoolIds": "!Ref UserPoolIds", "CreateDemo": "!Ref DemoUserPool"}, pools,
			"your pools' codes with your pools, the demo pool's with the demo pool")
		var kms []string
		for _, s := range stmts {
			for _, a := range s.actions {
				if strings.HasPrefix(a, "kms:") && s.owner != "SenderDecryptPolicy" && !s.keyPolicy {
					kms = append(kms, s.owner+" "+a)
				}
			}
		}
		assert.Empty(t, kms, "no other KMS grant")
	})
}

// policyRoles returns the functions whose roles an AWS::IAM::Policy names,
// one `!Ref <Function>Role` per Roles item, a `!If [Condition, !Ref
// <Function>Role, !Ref AWS::NoValue]` counting as its function.
func policyRoles(t *testing.T, policy string) []string {
	t.Helper()
	roles := block(policy, "Roles", 6)
	require.NotEmpty(t, roles, "no Roles in:\n%s", policy)
	var out []string
	for _, m := range regexp.MustCompile(`!Ref (\w+)Role\b`).FindAllStringSubmatch(roles, -1) {
		out = append(out, m[1])
	}
	return out
}

// grantsTo returns the actions the template grants a function's role:
// its own Policies, and the AWS::IAM::Policy resources naming the role.
func grantsTo(t *testing.T, text, function string) map[string]bool {
	t.Helper()
	blocks := resourceBlocks(t, text)
	granted := map[string]bool{}
	for _, s := range statements(t, text) {
		body := blocks[s.owner]
		if s.owner == function || (hasLine(body, `Type: AWS::IAM::Policy`) && slices.Contains(policyRoles(t, body), function)) {
			for _, a := range s.actions {
				granted[a] = true
			}
		}
	}
	return granted
}

// unlookedUp returns the pools the notifier serves for p (UserPoolIds as
// COGMAIL_NOTIFY_POOLS, and the rule's userPools) that the statements of
// NotifierUserLookupPolicy in text, as they apply for p, do not grant.
func unlookedUp(t *testing.T, text string, p poolSetup) []string {
	t.Helper()
	const prefix = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/"
	policy := block(block(text, "Resources", 0), "NotifierUserLookupPolicy", 2)
	require.True(t, hasLine(policy, `Condition: HasUserPools`), "the policy exists whenever there is a pool")
	event, _, _ := compactEvent(t, filepath.Join(moduleRoot(t), "events", "cloudtrail", "change-password.json"))
	w, _, err := wrap(text, p, event)
	require.NoError(t, err, p)
	var served []string
	require.NoError(t, json.Unmarshal(w["userPools"], &served))
	served = append(served, p.ids...)

	conditions := p.stack().conditions
	var granted []*regexp.Regexp
	for _, s := range statements(t, text) {
		if s.owner != "NotifierUserLookupPolicy" {
			continue
		}
		sid := strings.TrimPrefix(lineOf(s.text, "Sid:"), "Sid: ")
		guard := regexp.MustCompile(`- (\w+)\n\s+- Sid: ` + regexp.QuoteMeta(sid) + `\n`).FindStringSubmatch(policy)
		require.NotNil(t, guard, "%s: no condition", sid)
		if !conditions[guard[1]] {
			continue
		}
		var arns []string
		if s.resource == "!GetAtt DemoUserPool.Arn" {
			arns = []string{prefix + p.demo}
		} else {
			arns = listARNs(t, s.resource, "UserPoolIds", p.ids)
		}
		for _, a := range arns {
			granted = append(granted, regexp.MustCompile("^"+strings.NewReplacer(`\*`, `.*`, `\?`, `.`).Replace(regexp.QuoteMeta(a))+"$"))
		}
	}
	var missing []string
	for _, pool := range served {
		if !slices.ContainsFunc(granted, func(re *regexp.Regexp) bool { return re.MatchString(prefix + pool) }) && !slices.Contains(missing, pool) {
			missing = append(missing, pool)
		}
	}
	return missing
}

// listARNs evaluates, as CloudFormation would, the `!Sub ["PREFIX${V}",
// {V: !Join [",PREFIX", !Ref param]}]` of a resource for the given values
// of the list parameter param, and returns the ARNs the !Split yields.
func listARNs(t *testing.T, resource, param string, values []string) []string {
	t.Helper()
	sub := regexp.MustCompile(`- "([^"$]*)\$\{(\w+)\}"\s*\n\s*- (\w+): !Join \["([^"]*)", !Ref ` + param + `\]`).FindStringSubmatch(resource)
	require.NotNil(t, sub, "no !Sub of a !Join of %s in:\n%s", param, resource)
	prefix, variable, key, delimiter := sub[1], sub[2], sub[3], sub[4]
	require.Equal(t, variable, key, "the !Sub variable is the joined list")
	require.Equal(t, ","+prefix, delimiter, "each item gets the first one's prefix")
	assert.Regexp(t, `!Split\s*\n\s*- ","`, resource, "split back into a list on the delimiter's comma")
	var arns []string
	for _, v := range values {
		arns = append(arns, prefix+v)
	}
	return arns
}

// assertExactly checks that the IAM ARN patterns match each value's
// resource in this account and region (prefix+value), and neither a name
// that merely contains, extends or ends with it.
func assertExactly(t *testing.T, patterns []string, prefix string, values []string) {
	t.Helper()
	require.Len(t, patterns, len(values))
	for i, p := range patterns {
		re := regexp.MustCompile("^" + strings.NewReplacer(`\*`, `.*`, `\?`, `.`).Replace(regexp.QuoteMeta(p)) + "$")
		v := values[i]
		assert.True(t, re.MatchString(prefix+v), "%s does not match %s", p, prefix+v)
		for _, other := range []string{"x" + v, v + "x", "evil." + v, v + ".evil"} {
			assert.False(t, re.MatchString(prefix+other), "%s also matches %s", p, prefix+other)
		}
	}
}

// The grants follow the code: each AWS call the notifier and the sender
// declare (the interfaces their packages accept, one method per API
// operation) is granted to that function's role, and nothing more in those
// services; the same for the page's admin calls.
// moto and cognito-local check no IAM, so only this catches a new call
// before a deployment refuses it.
func TestTemplateGrantsFollowTheCode(t *testing.T) {
	tp := readTemplate(t)
	// SES v2 SendEmail with raw content has been refused as
	// ses:SendRawEmail: granted beside it (template.yaml says why).
	extra := map[string]bool{"ses:SendRawEmail": true}
	// The sender's KMS calls are the Encryption SDK's, which has no
	// interface to read: a strict KMS keyring decrypts with kms:Decrypt
	// and nothing else (lambda/codes).
	kmsDecrypt := map[string]bool{"kms:Decrypt": true}
	for _, fn := range []struct {
		name  string
		calls map[string]any // service → its interface's reflect.Type, or the calls themselves
	}{
		{"NotifierFunction", map[string]any{
			"dynamodb":    reflect.TypeFor[once.DynamoDB](),
			"ses":         reflect.TypeFor[mail.SES](),
			"cognito-idp": reflect.TypeFor[notify.Users](),
			"kms":         map[string]bool{},
		}},
		{"SenderFunction", map[string]any{
			"dynamodb":    reflect.TypeFor[once.DynamoDB](),
			"ses":         reflect.TypeFor[mail.SES](),
			"cognito-idp": reflect.TypeFor[sender.Users](),
			"kms":         kmsDecrypt,
		}},
		// The rotation's four steps, no other call.
		{"RotationFunction", map[string]any{
			"secretsmanager": reflect.TypeFor[rotation.API](),
		}},
	} {
		granted := grantsTo(t, tp.text(), fn.name)
		for service, source := range fn.calls {
			t.Run("case="+fn.name+" "+service, func(t *testing.T) {
				calls := map[string]bool{}
				switch s := source.(type) {
				case reflect.Type:
					for i := range s.NumMethod() {
						calls[service+":"+s.Method(i).Name] = true
					}
					require.NotEmpty(t, calls)
				case map[string]bool:
					calls = s
				}
				for call := range calls {
					assert.True(t, granted[call], "%s (%v) is not granted to %s", call, source, fn.name)
				}
				for action := range granted {
					if strings.HasPrefix(action, service+":") && !extra[action] {
						assert.True(t, calls[action], "%s is granted to %s but %v never calls it", action, fn.name, source)
					}
				}
			})
		}
	}

	// The clients the sender holds are the ones above: a new one (another
	// service) fails here until its grant is added.
	t.Run("case=the sender's clients", func(t *testing.T) {
		cfg := reflect.TypeFor[sender.Config]()
		clients := map[string]string{}
		for i := range cfg.NumField() {
			f := cfg.Field(i)
			if (f.Type.Kind() == reflect.Interface && f.Type != reflect.TypeFor[error]()) || f.Type == reflect.TypeFor[*once.Store]() {
				clients[f.Name] = f.Type.String()
			}
		}
		assert.Equal(t, map[string]string{
			"Users":     reflect.TypeFor[sender.Users]().String(),
			"SES":       reflect.TypeFor[mail.SES]().String(),
			"Claims":    reflect.TypeFor[*once.Store]().String(),
			"Decrypter": reflect.TypeFor[sender.Decrypter]().String(),
		}, clients)
		store, ok := reflect.TypeFor[once.Store]().FieldByName("DB")
		require.True(t, ok)
		assert.Equal(t, reflect.TypeFor[once.DynamoDB](), store.Type, "the claims' client")
	})

	// The page's Cognito calls are public APIs, authorised by the app
	// client, except the Admin ones, which IAM authorises.
	t.Run("case=the page's admin calls", func(t *testing.T) {
		admin := map[string]bool{}
		cognito := reflect.TypeFor[page.Cognito]()
		for i := range cognito.NumMethod() {
			if name := cognito.Method(i).Name; strings.HasPrefix(name, "Admin") {
				admin["cognito-idp:"+name] = true
			}
		}
		pageGrants := map[string]bool{}
		for _, s := range statements(t, tp.text()) {
			if s.owner == "PageFunction" || s.owner == "PageSignOutPolicy" {
				for _, a := range s.actions {
					if strings.HasPrefix(a, "cognito-idp:") {
						pageGrants[a] = true
					}
				}
			}
		}
		assert.Equal(t, admin, pageGrants)
	})

	// Every pool the notifier serves, COGMAIL_NOTIFY_POOLS and the rule's
	// userPools, it may look users up in, for every combination of the
	// demo pool and UserPoolIds.
	t.Run("case=the pools it serves", func(t *testing.T) {
		setups := []poolSetup{{}, {demo: "eu-west-1_Dm01Xy23Z"}, {ids: []string{"eu-west-1_Ab12Cd34E"}},
			{demo: "eu-west-1_Dm01Xy23Z", ids: []string{"eu-west-1_Ab12Cd34E", "eu-west-1_Zz98Yy76X"}}}
		for _, p := range setups {
			assert.Empty(t, unlookedUp(t, tp.text(), p), "%s: pools served but not granted", p)
		}
		mutated := strings.Replace(tp.text(), "- CreateDemo\n            - Sid: LookUpNotifiedDemoUsers", "- HasUserPoolIds\n            - Sid: LookUpNotifiedDemoUsers", 1)
		require.NotEqual(t, tp.text(), mutated)
		assert.Equal(t, []string{"eu-west-1_Dm01Xy23Z"}, unlookedUp(t, mutated, setups[1]), "the check finds a pool not granted")
	})

	// The claims' key and TTL attribute, as the store writes them.
	table := tp.resource(t, "NotifyTable")
	assert.Regexp(t, `- AttributeName: `+once.AttrID+`\n\s+KeyType: HASH`, table, "the key")
	assertLine(t, block(table, "TimeToLiveSpecification", 6), `AttributeName: `+once.AttrExpiresAt, "the TTL attribute")
}
