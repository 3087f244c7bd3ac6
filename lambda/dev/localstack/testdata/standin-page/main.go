// Command standin-page stands in for lambda/dev/cmd/page in the local stack's
// tests: it reads the same environment and answers every path with a short
// page, so that a test can tell the stack started it with what it needs.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	var config struct {
		Tenants map[string]struct {
			UserPoolID string `json:"userPoolId"`
			ClientID   string `json:"clientId"`
		} `json:"tenants"`
	}
	if err := json.Unmarshal([]byte(os.Getenv("COGMAIL_PAGE_CONFIG")), &config); err != nil || len(config.Tenants) == 0 {
		log.Fatalf("standin-page: COGMAIL_PAGE_CONFIG holds no tenants (%v)", err)
	}
	for _, name := range []string{"COGMAIL_SIGNING_KEYS", "COGMAIL_TEMPLATES_DIR", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"} {
		if os.Getenv(name) == "" {
			log.Fatalf("standin-page: %s is unset", name)
		}
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "stand-in page: %s (tenants: %d)\n", r.URL.Path, len(config.Tenants))
	})
	log.Printf("standin-page: listening on %s", os.Getenv("COGMAIL_PAGE_ADDR"))
	log.Fatal(http.ListenAndServe(os.Getenv("COGMAIL_PAGE_ADDR"), nil))
}
