package deploy

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// References from one resource to another, in the forms template.yaml may
// use: !Ref, Ref:, !GetAtt X.Y, !GetAtt [X, Y], Fn::GetAtt, their JSON
// forms ("Ref": "X", "Fn::GetAtt": ["X", …]), ${X} and ${X.Y} in !Sub,
// DependsOn. A !Sub variable that shares a resource's name counts too: an
// edge too many can only make the check stricter.
var referencePatterns = []*regexp.Regexp{
	regexp.MustCompile(`!Ref\s+([A-Za-z0-9]+)`),
	regexp.MustCompile(`\bRef:\s*([A-Za-z0-9]+)`),
	regexp.MustCompile(`"Ref"\s*:\s*"([A-Za-z0-9]+)"`),
	regexp.MustCompile(`!GetAtt\s+\[?\s*([A-Za-z0-9]+)`),
	regexp.MustCompile(`Fn::GetAtt:\s*\[?\s*([A-Za-z0-9]+)`),
	regexp.MustCompile(`"Fn::GetAtt"\s*:\s*\[\s*"([A-Za-z0-9]+)"`),
	regexp.MustCompile(`\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}`),
	regexp.MustCompile(`DependsOn:\s*\[?\s*([A-Za-z0-9, ]+)`),
}

// samGenerated maps a resource SAM generates from a function (its Function
// URL, its role) to that function: a reference to either is a reference to
// the function's whole block, policies and environment included.
var samGenerated = regexp.MustCompile(`^([A-Za-z0-9]+?)(Url|Role)$`)

// dependencyGraph returns, for each resource of text (a template without
// its comment lines), the resources it refers to.
func dependencyGraph(t *testing.T, text string) map[string][]string {
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
	require.NotEmpty(t, blocks)
	graph := map[string][]string{}
	for from, body := range blocks {
		// DependsOn may be a list on the following lines.
		body = regexp.MustCompile(`DependsOn:\s*\n((?:\s+-\s*[A-Za-z0-9]+\s*\n)+)`).ReplaceAllStringFunc(body, func(m string) string {
			return "DependsOn: " + strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimPrefix(m, "DependsOn:"), "-", " ")), ", ")
		})
		seen := map[string]bool{}
		for _, re := range referencePatterns {
			for _, m := range re.FindAllStringSubmatch(body, -1) {
				for _, to := range strings.Split(m[1], ",") {
					to = strings.TrimSpace(to)
					if _, ok := blocks[to]; !ok {
						if g := samGenerated.FindStringSubmatch(to); g != nil {
							to = g[1]
						}
					}
					if _, ok := blocks[to]; ok && to != from && !seen[to] {
						seen[to] = true
						graph[from] = append(graph[from], to)
					}
				}
			}
		}
		sort.Strings(graph[from])
		if _, ok := graph[from]; !ok {
			graph[from] = nil
		}
	}
	return graph
}

// cycle returns a dependency cycle of graph, or nil.
func cycle(graph map[string][]string) []string {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(string) []string
	visit = func(n string) []string {
		state[n] = active
		path = append(path, n)
		for _, m := range graph[n] {
			switch state[m] {
			case active:
				for i, p := range path {
					if p == m {
						return append(append([]string(nil), path[i:]...), m)
					}
				}
			case unseen:
				if c := visit(m); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	names := make([]string, 0, len(graph))
	for n := range graph {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if state[n] == unseen {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// The function's links name the page's URL, the demo pool names the
// function and the notifier, and the page's configuration names the pool:
// CloudFormation
// refuses a template where these close into a loop, and only a deployment
// (or cfn-lint, when installed) would say so.
func TestTemplateHasNoDependencyCycle(t *testing.T) {
	text := readTemplate(t).text()
	graph := dependencyGraph(t, text)
	assert.Nil(t, cycle(graph), "dependency cycle in template.yaml")

	// The edges that make one deployment enough, and the one that must not be.
	assert.Contains(t, graph["CogmailFunction"], "PageFunction", "the function's links lead to the page's URL")
	assert.Contains(t, graph["DemoUserPool"], "CogmailFunction", "the pool's trigger")
	assert.Subset(t, graph["PageConfigSecret"], []string{"DemoUserPool", "DemoUserPoolClient"}, "the page's configuration names the pool")
	assert.NotContains(t, graph["PageFunction"], "PageConfigSecret", "the page finds its secret by name")
	// The notifier: the demo pool's Post confirmation trigger, so neither it
	// nor the page may name the pool; the page's grant on it is a policy of
	// its own.
	assert.Contains(t, graph["DemoUserPool"], "NotifierFunction", "the pool's Post confirmation trigger")
	assert.Contains(t, graph["NotifierFunction"], "PageFunction", "report links lead to the page")
	assert.NotContains(t, graph["NotifierFunction"], "DemoUserPool", "the notifier never names the pool")
	assert.NotContains(t, graph["PageFunction"], "DemoUserPool", "nor does the page")
	assert.Subset(t, graph["PageSignOutPolicy"], []string{"PageFunction", "DemoUserPool"}, "a separate grant joins the page and the pool")
	assert.Subset(t, graph["PasswordChangeRule"], []string{"NotifierFunction", "NotifierDeadLetterQueue"}, "the rule's target and its dead letters")
	// The demo pool reaches the notifier through the rule's userPools and a
	// policy on its role: both may name the pool because nothing the pool
	// depends on depends on them.
	assert.Contains(t, graph["PasswordChangeRule"], "DemoUserPool", "the rule names the demo pool in userPools")
	assert.Subset(t, graph["NotifierUserLookupPolicy"], []string{"NotifierFunction", "DemoUserPool"}, "a separate grant joins the notifier and the pool")
	dependents := func(name string) []string {
		var out []string
		for from, to := range graph {
			if slices.Contains(to, name) {
				out = append(out, from)
			}
		}
		return out
	}
	assert.ElementsMatch(t, []string{"NotifierDeadLetterQueuePolicy", "PasswordChangeRuleInvokePermission"}, dependents("PasswordChangeRule"),
		"only the rule's own queue grant and invoke permission wait for it")
	for _, leaf := range []string{"NotifierDeadLetterQueuePolicy", "PasswordChangeRuleInvokePermission", "NotifierUserLookupPolicy", "PageSignOutPolicy",
		"SenderDecryptPolicy", "DemoUserPoolSenderPermission", "SenderDroppedMetricFilter"} {
		assert.Empty(t, dependents(leaf), "nothing depends on %s", leaf)
	}
	// The sender: the demo pool names it and the key, so neither may name
	// the pool; its decrypt grant, conditioned on the pool, is a policy of
	// its own.
	assert.Subset(t, graph["DemoUserPool"], []string{"SenderFunction", "SenderKey"}, "the pool's Custom Email Sender and its key")
	assert.Subset(t, graph["SenderFunction"], []string{"SenderKey", "SenderTable", "SenderDeadLetterQueue", "PageFunction"},
		"the key's ARN, the claims, the dead letters, links to the page")
	assert.NotContains(t, graph["SenderFunction"], "DemoUserPool", "the sender never names the pool")
	assert.Empty(t, graph["SenderKey"], "the key names nothing of the stack")
	assert.Subset(t, graph["SenderDecryptPolicy"], []string{"SenderFunction", "SenderKey", "DemoUserPool"}, "a separate grant joins the sender, the key and the pool")
	assert.Subset(t, graph["NotifierUserLookupPolicy"], []string{"SenderFunction"}, "the sender's takeover lookups")

	t.Run("case=the check finds a cycle", func(t *testing.T) {
		cyclic := strings.Replace(text, "COGMAIL_PAGE_CONFIG_SECRET: !Sub ${AWS::StackName}-page-config",
			"COGMAIL_PAGE_CONFIG_SECRET: !Ref PageConfigSecret", 1)
		require.NotEqual(t, text, cyclic)
		c := cycle(dependencyGraph(t, cyclic))
		require.NotNil(t, c, "a reference from the page to its secret closes a loop")
		assert.Contains(t, c, "PageConfigSecret")
	})
	t.Run("case=the notifier naming the demo pool closes a loop", func(t *testing.T) {
		cyclic := strings.Replace(text, `COGMAIL_NOTIFY_POOLS: !Join [",", !Ref UserPoolIds]`,
			"COGMAIL_NOTIFY_POOLS: !Ref DemoUserPool", 1)
		require.NotEqual(t, text, cyclic)
		c := cycle(dependencyGraph(t, cyclic))
		require.NotNil(t, c, "a reference from the notifier to the demo pool closes a loop")
		assert.Subset(t, c, []string{"NotifierFunction", "DemoUserPool"})
	})
	t.Run("case=the notifier waiting for the rule closes a loop", func(t *testing.T) {
		cyclic := strings.Replace(text, "  NotifierFunction:\n", "  NotifierFunction:\n    DependsOn: PasswordChangeRule\n", 1)
		require.NotEqual(t, text, cyclic)
		c := cycle(dependencyGraph(t, cyclic))
		require.NotNil(t, c, "the rule names the demo pool, which names the notifier")
		assert.Subset(t, c, []string{"NotifierFunction", "PasswordChangeRule", "DemoUserPool"})
	})
	t.Run("case=the sender naming the demo pool closes a loop", func(t *testing.T) {
		cyclic := strings.Replace(text, "COGMAIL_SENDER_TABLE: !Ref SenderTable", "COGMAIL_SENDER_TABLE: !Ref DemoUserPool", 1)
		require.NotEqual(t, text, cyclic)
		c := cycle(dependencyGraph(t, cyclic))
		require.NotNil(t, c, "a reference from the sender to the demo pool closes a loop")
		assert.Subset(t, c, []string{"SenderFunction", "DemoUserPool"})
	})
	t.Run("case=the key's policy naming the demo pool closes a loop", func(t *testing.T) {
		cyclic := strings.Replace(text, "AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
			"AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root\n            Condition: {StringEquals: {kms:EncryptionContext:userpool-id: !Ref DemoUserPool}}", 1)
		require.NotEqual(t, text, cyclic)
		c := cycle(dependencyGraph(t, cyclic))
		require.NotNil(t, c, "the pool names the key: a key policy conditioned on the pool closes a loop")
		assert.Subset(t, c, []string{"SenderKey", "DemoUserPool"})
	})
	t.Run("case=JSON-form references count", func(t *testing.T) {
		g := dependencyGraph(t, "Resources:\n  A:\n    X: {\"Ref\": \"B\"}\n  B:\n    X: {\"Fn::GetAtt\": [\"A\", \"Arn\"]}\n")
		assert.Equal(t, []string{"A", "B", "A"}, cycle(g))
	})
	t.Run("case=DependsOn lists count", func(t *testing.T) {
		g := dependencyGraph(t, "Resources:\n  A:\n    DependsOn:\n      - B\n  B:\n    DependsOn: [C]\n  C:\n    Properties:\n      X: !Sub ${A.Arn}\n")
		assert.Equal(t, []string{"A", "B", "C", "A"}, cycle(g))
	})
}
