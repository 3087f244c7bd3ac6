package moto

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// SES is what moto_server's SES (v1 and v2 share it) accepted for sending,
// from its /moto-api/data.json, oldest first.
type SES struct {
	// Raw are Content.Raw sends (SendRawEmail): the whole MIME message.
	Raw []RawMessage `json:"RawMessage"`
	// Simple are Content.Simple sends; moto keeps only their HTML body.
	Simple []SimpleMessage `json:"Message"`
}

// RawMessage is one raw send. moto lists its recipients twice.
type RawMessage struct {
	ID           string   `json:"id"`
	Source       string   `json:"source"`
	Destinations []string `json:"destinations"`
	Data         string   `json:"raw_data"`
}

// SimpleMessage is one simple send.
type SimpleMessage struct {
	ID           string `json:"id"`
	Source       string `json:"source"`
	Subject      string `json:"subject"`
	Body         string `json:"body"`
	Destinations struct {
		To  []string `json:"ToAddresses"`
		Cc  []string `json:"CcAddresses"`
		Bcc []string `json:"BccAddresses"`
	} `json:"destinations"`
}

// Sent reads what moto_server at endpoint's SES has accepted so far.
func Sent(ctx context.Context, client *http.Client, endpoint string) (SES, error) {
	var data struct {
		SES SES `json:"ses"`
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/data.json", nil)
	if err != nil {
		return SES{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return SES{}, fmt.Errorf("moto: read sent mail: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return SES{}, fmt.Errorf("moto: read sent mail: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		return SES{}, fmt.Errorf("moto: read sent mail: %w", err)
	}
	return data.SES, nil
}
