package moto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// KMS speaks the few KMS calls the local stack makes to moto_server, over
// KMS's JSON protocol with plain HTTP: only the Custom Email Sender may link
// the KMS client. Requests are signed with dummy credentials, since
// moto_server tells services apart by the signature's scope.
type KMS struct {
	// Endpoint is moto_server's URL.
	Endpoint string
	// Region is the signing region, which moto puts in the key's ARN;
	// empty means us-east-1.
	Region string
}

// Key is a created key.
type Key struct {
	ID  string `json:"KeyId"`
	ARN string `json:"Arn"`
}

// CreateKey creates a symmetric encryption key, as Cognito's custom sender
// triggers need.
func (k KMS) CreateKey(ctx context.Context, description string) (Key, error) {
	var out struct{ KeyMetadata Key }
	err := k.call(ctx, "CreateKey", map[string]any{
		"Description": description, "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT",
	}, &out)
	return out.KeyMetadata, err
}

// CreateAlias names a key: alias is "alias/…".
func (k KMS) CreateAlias(ctx context.Context, alias, keyID string) error {
	return k.call(ctx, "CreateAlias", map[string]any{"AliasName": alias, "TargetKeyId": keyID}, nil)
}

func (k KMS) call(ctx context.Context, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+action)
	region := k.Region
	if region == "" {
		region = "us-east-1"
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kms", region, time.Now()); err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return fmt.Errorf("kms %s: %w", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("kms %s: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("kms %s: %s: %s", action, resp.Status, bytes.TrimSpace(data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("kms %s: %w", action, err)
	}
	return nil
}
