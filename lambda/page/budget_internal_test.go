package page

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A request's Cognito calls get callsBudget, ending answerMargin before
// the request's deadline when it has one (inside Lambda, the
// invocation's): the page always has the time to answer itself.
func TestCallBudget(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration // from now; 0: none
		atMost   time.Duration
		positive bool
	}{
		{"case=no-deadline", 0, callsBudget, true},
		{"case=far-deadline", time.Hour, callsBudget, true},
		{"case=lambda's-timeout", 10 * time.Second, callsBudget, true},
		{"case=near-deadline", 3 * time.Second, 3*time.Second - answerMargin, true},
		{"case=deadline-within-the-margin", answerMargin / 2, 0, false},
		{"case=deadline-past", -time.Second, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.deadline != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, time.Now().Add(tt.deadline))
				defer cancel()
			}
			got := callBudget(ctx)
			assert.LessOrEqual(t, got, tt.atMost)
			assert.Equal(t, tt.positive, got > 0, got)
			if tt.deadline == 0 || tt.deadline == time.Hour {
				assert.Equal(t, callsBudget, got)
			}
		})
	}
	// Two calls (an activation) fit the budget only together: each is
	// bounded, and the budget leaves the answer its time.
	assert.Less(t, callTimeout, callsBudget)
	assert.LessOrEqual(t, callsBudget+answerMargin, 10*time.Second, "inside PageFunction's timeout (template.yaml)")
}
